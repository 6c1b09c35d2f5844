"""Paths and configuration: where the store is, the thresholds and ranking weights."""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
REFERENCE_DIR = REPO_DIR / "data" / "reference"
DEFAULT_CONFIG = PACKAGE_DIR / "config.toml"


def default_store() -> Path:
    """The store directory (holding `snapshots/`): $LIFECYCLE_STORE or the repo's data/."""
    env = os.environ.get("LIFECYCLE_STORE")
    return Path(env).expanduser().resolve() if env else REPO_DIR / "data"


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def load_config(region: str | None = None, store: Path | None = None) -> dict:
    """The effective config: package defaults, then <store>/config.toml, then the region's overrides.

    Returns {'thresholds': {...}, 'ranking_weights': {...}, 'targets': {...}}."""
    cfg = _load(str(DEFAULT_CONFIG), DEFAULT_CONFIG.stat().st_mtime)
    if store is not None:
        p = Path(store) / "config.toml"
        if p.exists():
            cfg = _merge(cfg, _load(str(p), p.stat().st_mtime))
    out = {
        "thresholds": dict(cfg.get("thresholds", {})),
        "ranking_weights": dict(cfg.get("ranking_weights", {})),
        "targets": {},
    }
    if region:
        reg = cfg.get("regions", {}).get(region, {})
        out["thresholds"].update(reg.get("thresholds", {}))
        out["ranking_weights"].update(reg.get("ranking_weights", {}))
        out["targets"].update(reg.get("targets", {}))
    return out
