"""Property: whatever is done to a valid ledger (blank cells, text in number cells, swapped or
impossible dates, bad codes, duplicate keys, unknown townships, random text), the import either
publishes a snapshot that satisfies the contract, or refuses with errors and leaves the store
byte-for-byte unchanged. It never crashes and never writes partially."""
from __future__ import annotations

import string
import uuid

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifecycle.domain import ids, schema
from lifecycle.ingest.importer import Source, import_ledgers
from lifecycle.domain.reference import region
from lifecycle.store.snapshots import Store
from test_import_support import (
    MONTH, PREV, PROJECT_HEAD, build_workbook, ledger, ops_rows, project_rows, tree_hash, xlsx_bytes,
)

COL = {h: i for i, h in enumerate(PROJECT_HEAD)}
NUMBER_COLS = ["总投资（亿元）", "累计完成投资（万元）"]
DATE_COLS = ["签约日期", "备案日期", "开工日期", "竣工日期", "投产日期", "计划竣工日期"]
MILESTONE_COLS = ["签约日期", "备案日期", "开工日期", "竣工日期", "投产日期"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).filter(
    lambda s: not s.startswith("="))

mutation = st.one_of(
    st.tuples(st.just("blank"), st.integers(0, 2), st.sampled_from(PROJECT_HEAD)),
    st.tuples(st.just("text_in_number"), st.integers(0, 2), st.sampled_from(NUMBER_COLS),
              st.sampled_from(["约5", "5亿", "abc", "1,2,3", "--"])),
    st.tuples(st.just("negative"), st.integers(0, 2), st.sampled_from(NUMBER_COLS)),
    st.tuples(st.just("swap_dates"), st.integers(0, 2), st.sampled_from(MILESTONE_COLS),
              st.sampled_from(MILESTONE_COLS)),
    st.tuples(st.just("bad_date"), st.integers(0, 2), st.sampled_from(DATE_COLS),
              st.sampled_from(["2024-02-30", "2024-13-01", "2024/0/5", "明年", "2024年", "99999"])),
    st.tuples(st.just("credit_code"), st.integers(0, 2),
              st.text(alphabet=string.digits + string.ascii_uppercase, min_size=0, max_size=19)),
    st.tuples(st.just("project_code"), st.integers(0, 2), st.sampled_from(["2024-32028-26-01-000001", "X", "2024-320281-26-01-00000A"])),
    st.tuples(st.just("duplicate_key"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("township"), st.integers(0, 2), st.sampled_from(["火星镇", "澄江", "320281999", "华士镇", "璜土镇 "])),
    st.tuples(st.just("random_text"), st.integers(0, 2), st.sampled_from(PROJECT_HEAD), TEXT),
)


def apply(rows: list[list], m: tuple) -> None:
    kind, i = m[0], m[1]
    r = rows[i]
    if kind == "blank":
        r[COL[m[2]]] = None
    elif kind == "text_in_number":
        r[COL[m[2]]] = m[3]
    elif kind == "negative":
        r[COL[m[2]]] = -1
    elif kind == "swap_dates":
        a, b = COL[m[2]], COL[m[3]]
        r[a], r[b] = r[b], r[a]
    elif kind == "bad_date":
        r[COL[m[2]]] = m[3]
    elif kind == "credit_code":
        r[COL["统一社会信用代码"]] = m[2]
    elif kind == "project_code":
        r[COL["投资项目统一代码"]] = m[2]
    elif kind == "duplicate_key":
        r[COL["项目编号"]] = rows[m[2]][COL["项目编号"]]
    elif kind == "township":
        r[COL["所属镇街（园区）"]] = m[2]
    elif kind == "random_text":
        r[COL[m[2]]] = m[3]


def check_snapshot(st_: Store, month: str) -> None:
    """The contract of a published snapshot, checked independently of the importer's code."""
    p = st_.read(month, "projects")
    assert p.schema == pl.Schema(schema.polars_schema("projects"))
    assert p["project_id"].null_count() == 0 and p["project_id"].n_unique() == p.height
    for c in (c.name for c in schema.TABLES["projects"] if c.required):
        assert p[c].null_count() == 0, c
    assert set(p["township_code"].to_list()) <= set(region("jiangyin").townships)
    assert all(ids.is_valid_uscc(c) for c in p["credit_code"].drop_nulls())
    assert all(ids.is_valid_project_code(c) for c in p["project_code"].drop_nulls())
    assert set(p["signing_type"].to_list()) <= {"intent", "formal"}
    for c in ("total_investment_wan", "cumulative_done_wan"):
        assert (p[c].drop_nulls() >= 0).all()
    for row in p.select(schema.MILESTONES).iter_rows():
        present = [d for d in row if d is not None]
        assert present == sorted(present)
        # no gap except a missing filing
        seen_missing = False
        for k, d in enumerate(row):
            if d is None and schema.MILESTONES[k] != "filed_on":
                seen_missing = True
            elif d is not None and seen_missing:
                raise AssertionError(f"gap before {schema.MILESTONES[k]}: {row}")
    a = st_.read(month, "approvals")
    assert set(a["project_id"].to_list()) <= set(p["project_id"].to_list())
    assert a.select("project_id", "step").is_duplicated().sum() == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(muts=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_ledgers_publish_valid_snapshots_or_refuse_cleanly(make_store, muts):
    st_ = Store(make_store().root.parent / f"s{uuid.uuid4().hex}")  # a fresh store per example
    st_.init("jiangyin")
    assert import_ledgers([ledger(operations=[["P002", "2026-09", 1, 1, 0.5, 3]])], PREV, st_).ok
    rows = project_rows()
    for m in muts:
        apply(rows, m)
    src = Source("变异台账.xlsx", xlsx_bytes(build_workbook(projects=rows, operations=ops_rows())))
    before = tree_hash(st_.root)
    res = import_ledgers([src], MONTH, st_)  # must not raise
    if res.ok:
        assert st_.months() == [PREV, MONTH]
        check_snapshot(st_, MONTH)
        after = tree_hash(st_.root)
        assert {k: v for k, v in after.items() if k.startswith(f"month={PREV}/")} == \
               {k: v for k, v in before.items() if k.startswith(f"month={PREV}/")}
    else:
        assert res.report.errors and res.publication is None
        for e in res.report.errors:  # every error names where it is
            assert e.file == "变异台账.xlsx" and e.message
            assert e.row is None or e.row >= 1
        assert tree_hash(st_.root) == before
        assert st_.months() == [PREV]
        assert not any(p.name.startswith(".tmp-") for p in st_.versions.iterdir())
