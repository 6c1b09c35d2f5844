"""The Changzhou monthly bulletin and quarterly pack carry the two yearly targets with 序时进度
and the phase hand-over (docs/domain.md §2.3, §7.3); Jiangyin's carry its phases only."""
from __future__ import annotations

import openpyxl
import polars as pl
import pytest

from helpers import metrics_for
from lifecycle.outputs import pack
from lifecycle.store.snapshots import Store
from test_pack import compact, pdf_pages


def _sheet(data: bytes, tmp_path, name: str) -> list[dict]:
    p = tmp_path / "x.xlsx"
    p.write_bytes(data)
    ws = openpyxl.load_workbook(p, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    hi = next(i for i, r in enumerate(rows) if r and r[0] is not None and len([c for c in r if c is not None]) > 2)
    head = rows[hi]
    return [dict(zip(head, r)) for r in rows[hi + 1:] if any(c is not None for c in r)]


def test_changzhou_bulletin_and_pack_have_targets_and_handover(demo_stores, tmp_path):
    m = metrics_for(Store(demo_stores["changzhou"]))
    pdf, xlsx, _ = pack.bulletin_bytes(m, "2026-10")
    text = compact("\n".join(pdf_pages(pdf)))
    assert "四、年度目标与分段推进" in text and "年度目标序时进度" in text
    t = m.targets("2026-10")
    rows = {r["目标事项"]: r for r in _sheet(xlsx, tmp_path, "年度目标")}
    for r in t.iter_rows(named=True):
        got = rows[r["target_name"]]
        assert got["本年累计（个）"] == r["ytd_count"] and got["年度目标（个）"] == r["target"]
        # 序时目标 = target × 10 / 12 in October
        assert got["序时目标（个）"] == pytest.approx(r["target"] * 10 / 12)
    hand = m.phase_handover("2026-10")
    assert len(_sheet(xlsx, tmp_path, "阶段交接")) == hand.height > 0
    phases = _sheet(xlsx, tmp_path, "分段推进")
    assert [r["牵头部门"] for r in phases] == ["商务局", "发改委", "工信局"]

    qpdf, qxlsx, _ = pack.pack_bytes(m, "2026Q3")
    qtext = compact("\n".join(pdf_pages(qpdf)))
    assert "七、年度目标与分段推进" in qtext
    qhand = pl.concat([m.phase_handover(x) for x in ("2026-07", "2026-08", "2026-09")])
    assert len(_sheet(qxlsx, tmp_path, "阶段交接")) == qhand.height


def test_jiangyin_bulletin_has_phases_without_targets(demo_stores, tmp_path):
    m = metrics_for(Store(demo_stores["jiangyin"]))
    pdf, xlsx, _ = pack.bulletin_bytes(m, "2026-10")
    text = compact("\n".join(pdf_pages(pdf)))
    assert "年度目标序时进度" not in text and "各阶段项目与牵头部门" in text
    assert len(_sheet(xlsx, tmp_path, "分段推进")) == 4
