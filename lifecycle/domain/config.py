"""Paths and configuration: where the store is, the thresholds and ranking weights."""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

DOMAIN_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = DOMAIN_DIR.parent
REPO_DIR = PACKAGE_DIR.parent
# Reference data ships inside the package (a checkout also shows it as data/reference/).
REFERENCE_DIR = DOMAIN_DIR / "refdata"
DEFAULT_CONFIG = DOMAIN_DIR / "config.toml"


def in_checkout() -> bool:
    """True when running from a source checkout (app.py and pyproject.toml next to the package)."""
    return (REPO_DIR / "app.py").is_file() and (REPO_DIR / "pyproject.toml").is_file()


def default_store() -> Path:
    """The store directory (holding `snapshots/`): $LIFECYCLE_STORE, else the checkout's data/,
    else (an installed package) $XDG_DATA_HOME/lifecycle-dashboard (~/.local/share/...)."""
    env = os.environ.get("LIFECYCLE_STORE")
    if env:
        return Path(env).expanduser().resolve()
    if in_checkout():
        return REPO_DIR / "data"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "lifecycle-dashboard"


# Accounts and sessions (docs/domain.md §9); a store's config.toml may override them, but the
# minimum password length never goes below 10.
SECURITY_DEFAULTS = {"session_hours": 8.0, "max_failed_logins": 5, "lockout_minutes": 15,
                     "min_password_length": 10}


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _merged(store: Path | None) -> dict:
    """The package defaults with <store>/config.toml laid over them (both read once per change)."""
    cfg = _load(str(DEFAULT_CONFIG), DEFAULT_CONFIG.stat().st_mtime)
    if store is not None:
        p = Path(store) / "config.toml"
        if p.exists():
            cfg = _merge(cfg, _load(str(p), p.stat().st_mtime))
    return cfg


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def load_config(region: str | None = None, store: Path | None = None) -> dict:
    """The effective config: package defaults, then <store>/config.toml, then the region's overrides.

    Returns {'thresholds': {...}, 'ranking_weights': {...}, 'targets': {...}, 'letters': {...},
    'security': {...}}."""
    cfg = _merged(store)
    out = {
        "thresholds": dict(cfg.get("thresholds", {})),
        "ranking_weights": dict(cfg.get("ranking_weights", {})),
        "targets": {},
        "security": {**SECURITY_DEFAULTS, **cfg.get("security", {})},
        "letters": _merge({}, cfg.get("letters", {})),
    }
    if region:
        reg = cfg.get("regions", {}).get(region, {})
        out["thresholds"].update(reg.get("thresholds", {}))
        out["ranking_weights"].update(reg.get("ranking_weights", {}))
        out["targets"].update(reg.get("targets", {}))
        out["letters"] = _merge(out["letters"], reg.get("letters", {}))
    _add_zhaotuifu(out, cfg, region)
    return out


def _add_zhaotuifu(out: dict, cfg: dict, region: str | None) -> None:
    """The 招推服 parts (docs/domain.md §2.3, §7.3–7.5): the region's phases (a list of
    {key, name, dept, span, stages, entry, limit_months, done_stage?}), its library entry rule,
    the 规上 rule of the 新增长点培育库 and the yearly evaluation's benchmarks, weights and grades.
    A region may override `growth` and `evaluation` under [regions.<region>.growth|evaluation]."""
    reg = cfg.get("regions", {}).get(region, {}) if region else {}
    out["phases"] = [dict(p) for p in reg.get("phases", [])]
    out["entry"] = {"min_total_investment_wan": 0, **reg.get("entry", {})}
    out["growth"] = {**cfg.get("growth", {}), **reg.get("growth", {})}
    out["evaluation"] = {**cfg.get("evaluation", {}), **reg.get("evaluation", {})}


def import_settings(store: Path | None = None) -> dict:
    """The `[import]` section (limits, bounds, shrink share, change factor): package defaults,
    then <store>/config.toml."""
    cfg = _merged(store)
    out = dict(cfg.get("import", {}))
    out.setdefault("limits", {})
    out.setdefault("bounds", {})
    out.setdefault("max_shrink_share", 0.5)
    out.setdefault("change_factor", 3.0)
    return out


def pipeline_settings(region: str | None = None, store: Path | None = None) -> dict:
    """The `[pipeline]` section (stale_days and the taxonomies channels / project_types /
    industry_chains) with the region's `[regions.<key>.pipeline]` overrides, plus the region's
    yearly township targets `unit_targets` as {year (int): {unit_code: {target key: number}}}
    (docs/domain.md §16). Package defaults, then <store>/config.toml."""
    cfg = _merged(store)
    out = dict(cfg.get("pipeline", {}))
    out.setdefault("stale_days", 60)
    for k in ("channels", "project_types", "industry_chains"):
        out[k] = list(out.get(k, []))
    reg = cfg.get("regions", {}).get(region, {}) if region else {}
    out.update(reg.get("pipeline", {}))
    out["unit_targets"] = {int(y): {str(u): dict(t) for u, t in units.items()}
                           for y, units in reg.get("unit_targets", {}).items()}
    return out
