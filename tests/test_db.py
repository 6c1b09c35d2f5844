"""The DuckDB query layer: bound parameters, new publications picked up, thread safety."""
import threading

import pytest

from helpers import DEMO_END, metrics_for, project, publish
from lifecycle.query.db import Database, sql_text
from lifecycle.store.snapshots import Store


def test_parameters_are_bound_not_formatted(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1", name="x'); DROP TABLE ref_units; --")])
    db = Database(st)
    df = db.query("SELECT name FROM stg_projects WHERE name = $n", {"n": "x'); DROP TABLE ref_units; --"})
    assert df.height == 1
    assert db.scalar("SELECT count(*) FROM ref_units") == 21
    with pytest.raises(KeyError):
        db.query("SELECT $a AS a", {})


def test_every_sql_file_starts_with_a_comment():
    from lifecycle.query.db import SQL_DIR

    for f in SQL_DIR.rglob("*.sql"):
        assert f.read_text(encoding="utf-8").lstrip().startswith("--"), f.name
    assert "$month" in sql_text("rates")


def test_new_publication_is_picked_up(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1")])
    m = metrics_for(st)
    assert m.months == ["2025-01"]
    publish(st, "2025-02", [project("P1"), project("P2")])
    assert m.months == ["2025-01", "2025-02"]
    assert m.project_list("2025-02").height == 2


def test_concurrent_queries_from_threads(demo_stores):
    m = metrics_for(Store(demo_stores["jiangyin"]))
    expected = m.rates(DEMO_END)
    expected_units = m.unit_stage(DEMO_END).height
    errors, results = [], []

    def work():
        try:
            for _ in range(5):
                results.append(m.rates(DEMO_END) == expected and m.unit_stage(DEMO_END).height == expected_units)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert len(results) == 40 and all(results)


def test_month_models_hold_the_models_rows(demo_stores):
    """A materialised month relation is exactly the SQL model's rows of that month (same columns,
    types and values as reading the model over the parquet files)."""
    from polars.testing import assert_frame_equal

    db = Database(Store(demo_stores["changzhou"]))
    month = db.months[-2]
    for macro, model in (("month_projects", "int_projects"), ("month_approvals", "int_approvals")):
        got = db.query(f"SELECT * FROM {macro}($m) ORDER BY ALL", {"m": month})
        want = db.query(f"SELECT * FROM {model} WHERE snapshot_month = $m ORDER BY ALL", {"m": month})
        assert got.height > 0
        assert_frame_equal(got, want)
    # an unpublished month or NULL has no rows, like the model filtered on it
    assert db.query("SELECT count(*) AS n FROM month_projects($m)", {"m": "1999-01"})["n"][0] == 0
    assert db.query("SELECT count(*) AS n FROM month_projects(NULL)")["n"][0] == 0


def test_month_cache_eviction_keeps_results(demo_stores):
    """With room for a single month relation, queries over several months still agree."""
    from lifecycle.query.metrics import Metrics

    roomy = metrics_for(Store(demo_stores["jiangyin"]))
    tight = Metrics(Database(Store(demo_stores["jiangyin"]), cache_mb=0))
    for month in (DEMO_END, roomy.months[-2], roomy.months[0], DEMO_END):
        assert tight.rates_with_change(month) == roomy.rates_with_change(month)
        assert tight.changes(month).equals(roomy.changes(month))
    assert len(tight.db._rels) <= 3  # what the last query needed, nothing more


def test_publication_drops_materialised_months(make_store):
    st = make_store()
    publish(st, "2025-01", [project("P1", total_investment_wan=1.0)])
    m = metrics_for(st)
    assert m.project_list("2025-01")["total_investment_wan"].to_list() == [1.0]
    publish(st, "2025-01", [project("P1", total_investment_wan=2.0)])  # re-published
    assert m.project_list("2025-01")["total_investment_wan"].to_list() == [2.0]


def test_warm_builds_the_months_before_once_and_within_its_share(make_store):
    """Database.warm builds the projects / approvals / operations relations of the months asked
    for (unpublished months ignored), skips what is built, and builds nothing while the held
    relations exceed its share of the cache; a query afterwards reads the same rows."""
    st = make_store()
    for month in ("2025-01", "2025-02", "2025-03"):
        publish(st, month, [project("P1"), project("P2")])
    db = Database(st)
    prefix = db._current.prefix
    built = db.warm(["2025-02", "2025-01", "2024-12"])
    assert built == [prefix + n for n in ("mp_2025_02", "ma_2025_02", "mo_2025_02",
                                          "mp_2025_01", "ma_2025_01", "mo_2025_01")]
    assert db.warm(["2025-02"]) == []                      # already built: nothing to do
    assert db.query("SELECT project_id FROM month_projects('2025-02') ORDER BY 1")["project_id"].to_list() \
        == ["P1", "P2"]
    busy = Database(st)                                     # pages hold more than the share
    busy.query("SELECT count(*) FROM month_projects('2025-03')")
    assert len(busy._rels) == 1 and busy.warm(["2025-02"], share=0.0) == []


def test_page_warms_the_two_months_before_in_the_background(make_store, monkeypatch):
    from lifecycle.ui.page import warm_months_before, warming_done

    monkeypatch.setenv("LIFECYCLE_WARM", "1")

    st = make_store()
    for month in ("2025-01", "2025-02", "2025-03"):
        publish(st, month, [project("P1")])
    db = Database(st)
    t = warm_months_before(db, "2025-03")
    assert t is not None and warming_done(timeout=60)
    names = {n[len(db._current.prefix):] for n in db._rels}
    assert {"mp_2025_02", "mp_2025_01", "ma_2025_02", "mo_2025_01"} <= names and "mp_2025_03" not in names
    assert warm_months_before(db, "2025-01") is None       # nothing before the first month
