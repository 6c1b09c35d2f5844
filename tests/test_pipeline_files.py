"""Review attachments 审查附件 (docs/domain.md §16.7): type and size limits, sanitised names, the
township scope (read and write), the bytes' round trip and the integrity check."""
from __future__ import annotations

import hashlib

import polars as pl  # noqa: F401
import pytest

from lifecycle.store import pipeline as p
from lifecycle.store import pipeline_files as f
from lifecycle.store.accounts import Account

A, B = "320281001", "320281004"  # 澄江街道, 南闸街道
TOWN_A = Account("town_a", "township", A)
TOWN_B = Account("town_b", "township", B)
PUB = Account("pub", "publisher")
REV = Account("rev", "reviewer")
LEADER = Account("boss", "leader")
ADMIN = Account("root", "admin")
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def store(make_store):
    st = make_store("jiangyin")
    (st.root / "config.toml").write_text("[pipeline]\nattachment_max_mb = 0.01\n", encoding="utf-8")  # 10,485.76 bytes
    return st


def _round(store, unit):
    lid = p.enter_lead(store, PUB, f"{unit}项目", channel="产业招商", industry_chain="新材料", project_type="基地型",
                       expected_investment_wan=10000.0, unit_code=unit)
    p.advance_lead(store, PUB, lid, "review")
    return p.get_lead(store, lid)["review_id"]


def test_round_trip_of_the_bytes_and_the_row(store):
    ra = _round(store, A)
    aid = f.attach(store, REV, ra, "尽调报告", "../../etc/尽调 报告<终稿>.PDF", PDF)
    df = f.attachments(store, LEADER)
    r = df.row(0, named=True)
    assert (r["attachment_id"], r["review_id"], r["kind"], r["kind_label"]) == (aid, ra, "due_diligence", "尽调报告")
    assert r["file_name"] == "尽调 报告_终稿_.pdf"                     # no directories, reserved characters replaced
    assert (r["size_bytes"], r["sha256"], r["uploaded_by"]) == (len(PDF), hashlib.sha256(PDF).hexdigest(), "rev")
    name, data, mime = f.read(store, TOWN_A, aid)
    assert (name, data, mime) == ("尽调 报告_终稿_.pdf", PDF, "application/pdf")
    stored = list((store.root / f.DIR_NAME / str(ra)).iterdir())
    assert len(stored) == 1 and stored[0].name.endswith("_尽调 报告_终稿_.pdf")
    # a replaced file is refused
    stored[0].write_bytes(PDF + b"x")
    with pytest.raises(p.PipelineError, match="已损坏或被替换"):
        f.read(store, LEADER, aid)
    stored[0].unlink()
    with pytest.raises(p.PipelineError, match="已缺失"):
        f.read(store, LEADER, aid)


def test_limits(store):
    ra = _round(store, A)
    limit = int(0.01 * 1024 * 1024)                                     # 10,485 bytes
    ok = b"%PDF-" + b"0" * (limit - 5)
    assert f.attach(store, PUB, ra, "other", "恰好上限.pdf", ok) == 1
    with pytest.raises(p.PipelineError, match=r"^文件“超限\.pdf”大小为 10\.2 KB，超过上限 0\.01 MB$"):
        f.attach(store, PUB, ra, "other", "超限.pdf", ok + b"0")
    with pytest.raises(p.PipelineError, match="类型不允许（允许：pdf、docx、xlsx、jpg、jpeg、png）"):
        f.attach(store, PUB, ra, "expert", "脚本.exe", PDF)
    with pytest.raises(p.PipelineError, match="类型不允许"):
        f.attach(store, PUB, ra, "expert", "无扩展名", PDF)
    with pytest.raises(p.PipelineError, match=r"内容与扩展名 \.png 不符"):
        f.attach(store, PUB, ra, "expert", "伪装.png", PDF)
    with pytest.raises(p.PipelineError, match="为空"):
        f.attach(store, PUB, ra, "expert", "空.pdf", b"")
    with pytest.raises(p.PipelineError, match="附件类型“合同”无效"):
        f.attach(store, PUB, ra, "合同", "a.pdf", PDF)
    with pytest.raises(p.PipelineError, match="文件名无效"):
        f.attach(store, PUB, ra, "expert", "../..", PDF)
    assert f.attach(store, PUB, ra, "专家意见", "照片.png", PNG) == 2
    assert f.attachments(store, PUB)["file_name"].to_list() == ["恰好上限.pdf", "照片.png"]
    assert len(list((store.root / f.DIR_NAME / str(ra)).iterdir())) == 2  # refused files leave nothing


def test_scope_and_who_may_attach(store):
    ra, rb = _round(store, A), _round(store, B)
    a1 = f.attach(store, TOWN_A, ra, "due_diligence", "a.pdf", PDF)      # its own unit's lead
    b1 = f.attach(store, REV, rb, "expert", "b.pdf", PDF)
    with pytest.raises(p.PipelineError, match="^无权操作"):
        f.attach(store, TOWN_A, rb, "other", "x.pdf", PDF)               # another unit's lead
    for acc in (LEADER, ADMIN):                                           # no pipeline permission
        with pytest.raises(p.PipelineError, match="^无权操作：上传审查附件"):
            f.attach(store, acc, ra, "other", "x.pdf", PDF)
    with pytest.raises(p.PipelineError, match="未登录"):
        f.attach(store, None, ra, "other", "x.pdf", PDF)
    assert f.attachments(store, TOWN_A)["attachment_id"].to_list() == [a1]
    assert f.attachments(store, TOWN_B)["attachment_id"].to_list() == [b1]
    for acc in (LEADER, REV, PUB, ADMIN):
        assert f.attachments(store, acc)["attachment_id"].to_list() == [a1, b1]
    assert f.attachments(store, LEADER, [rb])["attachment_id"].to_list() == [b1]
    with pytest.raises(p.PipelineError, match="^无权查看：本账户只能查看澄江街道的招商线索$"):
        f.read(store, TOWN_A, b1)
    assert f.read(store, TOWN_B, b1)[1] == PDF
    with pytest.raises(p.PipelineError, match="附件 99 不存在"):
        f.read(store, LEADER, 99)


def test_no_pipeline_no_attachments(make_store):
    st = make_store("changzhou", "cz")
    assert f.attachments(st, LEADER).is_empty()
    assert f.max_mb(st) == 10


@pytest.mark.parametrize("region", ["jiangyin", "changzhou"])
def test_pipeline_page_attachments(region_env, demo_stores, app_user, region):
    """The 审查附件 section of 招商线索: the round's files listed with a download each (the
    township account: its own unit's rounds only), the upload form for committee members."""
    from helpers import REPO
    from streamlit.testing.v1 import AppTest

    from lifecycle.domain import labels

    region_env(region)
    root = demo_stores[region]
    leads = p.list_leads(root).filter(p.pl.col("review_id").is_not_null() & (p.pl.col("stage") == "review"))
    lead = leads.row(0, named=True)
    rid, unit = lead["review_id"], lead["unit_code"]
    aid = f.attach(root, p.SYSTEM, rid, "expert", "专家意见.pdf", PDF)
    try:
        def run():
            at = AppTest.from_file(str(REPO / "pages" / "pipeline.py"), default_timeout=180)
            at.run()
            assert not at.exception and not at.error, [e.value for e in at.error]
            return at

        app_user.role = "reviewer"
        at = run()
        at.selectbox(key="pl_att_round").set_value(rid).run()
        tbl = next(d.value for d in at.dataframe if labels.COLUMNS["file_name"] in d.value.columns)
        assert list(tbl[labels.COLUMNS["file_name"]]) == ["专家意见.pdf"]
        assert list(tbl[labels.COLUMNS["kind_label"]]) == ["专家意见"]
        assert any(b.label == "下载：专家意见.pdf" for b in at.get("download_button"))
        assert any(getattr(b, "label", "") == labels.ATTACHMENT_TEXT["upload"] for b in at.button)
        # a township account of the lead's unit sees the round; its rounds are its unit's only
        app_user.role, app_user.unit = "township", unit
        at = run()
        opts = at.selectbox(key="pl_att_round").options
        own = p.list_leads(root, (unit,)).filter(p.pl.col("review_id").is_not_null())
        assert len(opts) == own.height < leads.height + p.list_leads(root).filter(
            p.pl.col("review_id").is_not_null() & (p.pl.col("stage") != "review")).height
        assert any(f"线索{lead['lead_id']}：" in o for o in opts)
        # a leader sees and downloads, but has no upload form
        app_user.role, app_user.unit = "leader", None
        at = run()
        assert not any(getattr(b, "label", "") == labels.ATTACHMENT_TEXT["upload"] for b in at.button)
    finally:
        import shutil

        with f._connect(root, write=True) as con:
            con.execute("DELETE FROM review_attachments WHERE attachment_id = ?", (aid,))
        shutil.rmtree(root / f.DIR_NAME, ignore_errors=True)
