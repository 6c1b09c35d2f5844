"""Page benchmark behind `python -m lifecycle bench`: every page's server run under Streamlit's
AppTest — cold (nothing cached: no results, no DuckDB connection, no month materialised; the
store's checksums already verified, which `server_start_s` times once), warm (the same page run
again), after a month change and after a unit change — with the error boxes it showed, and the
peak resident memory of the process after visiting every page. The pages run as an
account that exists only in this process (a leader, or the role a page needs; nothing is
written to the store).

Run by the CLI in a separate process (`python -m lifecycle.ui.bench --store DIR --json OUT`) so
that the peak memory is the server's alone.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clear_caches() -> None:
    import gc

    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()


def _problems(at) -> list[str]:
    out = [f"exception: {e.value}"[:300] for e in at.exception]
    out += [f"error: {e.value}"[:300] for e in at.error]
    return out


def _timed_run(at) -> float:
    t0 = time.perf_counter()
    at.run()
    return time.perf_counter() - t0


def _pick_project(store_root: str, month: str, prev: str | None) -> str | None:
    """A large project present in both `month` and `prev` (so the month change still finds it)."""
    from lifecycle.query.db import Database
    from lifecycle.query.metrics import Metrics
    from lifecycle.store.snapshots import Store

    m = Metrics(Database(Store(store_root)))
    try:
        cur = m.project_list(month).head(50)["project_id"].to_list()
        if prev:
            old = set(m.project_list(prev)["project_id"].to_list())
            cur = [p for p in cur if p in old] or cur
        return cur[0] if cur else None
    finally:
        m.db.close()


def run_pages(store: str, pages: list[str] | None = None, warm_repeat: int = 2, unit: str | None = None,
              progress=None) -> dict:
    """Time each page (see the module docstring). Returns {'pages': [...], 'peak_rss_mb', 'rss_mb'}."""
    import logging

    os.environ["LIFECYCLE_STORE"] = str(Path(store).resolve())
    from streamlit.testing.v1 import AppTest

    # caches are cleared outside a script run on purpose: do not warn about it
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    # the pages run as an account held in this process only — a leader (sees every unit, may
    # export and comment), or the role a page needs — no login, nothing written to the store
    from lifecycle.store.accounts import PERMISSIONS, Account
    from lifecycle.ui import auth
    from lifecycle.ui.page import PAGE_NEEDS

    who = {"account": Account("bench", "leader")}
    auth._local_account = lambda root: who["account"]

    def run_as(url: str) -> None:
        need = PAGE_NEEDS.get(url)
        role = "leader" if need is None else sorted(PERMISSIONS[need])[0]
        who["account"] = Account("bench", role)

    # the modules every page imports, loaded once (a server has them loaded after its first page)
    import lifecycle.outputs.exports  # noqa: F401
    import lifecycle.outputs.pack  # noqa: F401
    import lifecycle.present.charts  # noqa: F401
    import lifecycle.present.maps  # noqa: F401
    from lifecycle.domain.reference import region
    from lifecycle.store.snapshots import Store
    from lifecycle.ui.page import PAGES, warming_done

    # opening the store once per process: every month's files checked against the checksums of
    # their publication (Store.snapshot, cached for the process) and the connection set up —
    # timed apart from the pages, which a running server opens with the store already open
    t0 = time.perf_counter()
    from lifecycle.query.db import Database

    Database(Store(store)).close()
    server_start = time.perf_counter() - t0
    st_ = Store(store)
    months = st_.months()
    month, prev = months[-1], (months[-2] if len(months) > 1 else None)
    unit = unit or next(iter(region(st_.region).units))
    pid = _pick_project(store, month, prev)
    results = []
    for file, title, _icon, url in PAGES:
        if pages and url not in pages:
            continue
        if not (REPO / file).exists():
            continue
        if progress:
            progress(title)
        run_as(url)
        warming_done()
        _clear_caches()
        at = AppTest.from_file(str(REPO / file), default_timeout=900)
        if url == "project" and pid:
            at.query_params["pid"] = pid
        row = {"page": url, "title": title, "problems": []}
        row["cold_s"] = _timed_run(at)
        row["problems"] += _problems(at)
        # a person reads the page before the next click: the months before are built meanwhile
        # in the background (ui.page.warm_months_before); the runs below start once that is done
        warming_done()
        warm = []
        for _ in range(warm_repeat):
            warm.append(_timed_run(at))
            row["problems"] += _problems(at)
        row["warm_s"] = min(warm)
        if prev:
            try:
                at.selectbox(key="w_month").set_value(prev)
                row["month_change_s"] = _timed_run(at)
                row["problems"] += _problems(at)
            except Exception as e:  # a page without the sidebar month filter
                row["problems"].append(f"month change: {e}"[:300])
        try:
            at.multiselect(key="w_unit").set_value([unit])
            row["unit_change_s"] = _timed_run(at)
            row["problems"] += _problems(at)
        except Exception as e:
            row["problems"].append(f"unit change: {e}"[:300])
        row["rss_mb"] = _rss_mb()
        row["problems"] = list(dict.fromkeys(row["problems"]))
        results.append(row)
        del at
    # a server that has shown every page keeps what it cached: visit them all again, caches kept
    for file, _title, _icon, url in PAGES:
        if (pages and url not in pages) or not (REPO / file).exists():
            continue
        run_as(url)
        at = AppTest.from_file(str(REPO / file), default_timeout=900)
        if url == "project" and pid:
            at.query_params["pid"] = pid
        at.run()
    return {"store": str(store), "month": month, "previous_month": prev, "unit": unit, "project": pid,
            "server_start_s": server_start, "pages": results, "peak_rss_mb": _peak_mb(), "rss_mb": _rss_mb()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m lifecycle.ui.bench")
    p.add_argument("--store", required=True)
    p.add_argument("--json", required=True, help="where to write the results")
    p.add_argument("--pages", nargs="*", help="URL paths of the pages to time (default all)")
    p.add_argument("--unit", help="unit code for the unit change (default the region's first)")
    p.add_argument("--warm-repeat", type=int, default=2)
    args = p.parse_args(argv)
    res = run_pages(args.store, args.pages, args.warm_repeat, args.unit,
                    progress=lambda t: print(f"  page {t} …", file=sys.stderr, flush=True))
    Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
