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
