"""`python -m lifecycle leads …` (docs/domain.md §16.4): the whole path from the command line as
the system user and as accounts (township scope, reviewer's opinions, permissions), JSON list,
one-line Chinese errors, audit entries."""
from __future__ import annotations

import json

import pytest

from lifecycle.cli import main
from lifecycle.store import accounts, audit, pipeline

A, B = "320281001", "320281004"  # 澄江街道, 南闸街道
PW = "cli-password-123"


@pytest.fixture
def root(make_store):
    st = make_store("jiangyin")
    accounts.add(st.root, "ta", "township", A, password=PW, region_key="jiangyin")
    accounts.add(st.root, "rv", "reviewer", password=PW)
    accounts.add(st.root, "ld", "leader", password=PW)
    return st.root


def cli(root, capsys, *args):
    code = main(["leads", *args, "--store", str(root)])
    out = capsys.readouterr()
    return code, out.out.strip(), out.err.strip()


def test_leads_cli_path(root, capsys):
    ok = lambda *a: cli(root, capsys, *a)  # noqa: E731
    code, out, _ = ok("add", "南闸新能源项目", "--investment", "50000", "--unit", "南闸街道", "--channel", "产业招商",
                      "--chain", "新能源", "--type", "龙头型", "--contact", "2026-09-01")
    assert (code, out) == (0, "1")
    code, out, _ = ok("add", "澄江新材料项目", "--investment", "20000", "--stage", "洽谈", "--user", "ta")
    assert (code, out) == (0, "2")
    assert pipeline.get_lead(root, 2)["unit_code"] == A                     # the township's unit
    # township: another unit's lead is refused, in one Chinese line, exit 1, audited
    code, _, err = ok("move", "1", "talks", "--user", "ta")
    assert code == 1 and err.startswith("错误：无权操作：线索 1 不属于澄江街道") and "\n" not in err
    code, out, _ = ok("review", "2", "--user", "ta")
    assert (code, out) == (0, "1")                                             # review round 1
    code, _, err = ok("opinion", "1", "legal", "合规", "--user", "ta")
    assert code == 1 and "录入审查意见须由审查委员会成员办理" in err
    for dim in ("法务", "商务", "财务"):
        assert ok("opinion", "1", dim, f"{dim}同意", "--user", "rv")[0] == 0
    code, _, err = ok("decide", "1", "veto", "--user", "rv")
    assert code == 1 and err == "错误：结论理由不能为空"
    assert ok("decide", "1", "通过", "--on", "2026-10-10", "--user", "rv")[0] == 0
    assert ok("move", "2", "formal", "--user", "ta")[0] == 0
    assert ok("contact", "1", "--on", "2026-10-20")[0] == 0                  # the system user
    # lists: JSON; the township sees its unit only; asking for another unit is refused
    code, out, _ = ok("list", "--json")
    rows = json.loads(out)
    assert [(r["lead_id"], r["stage"], r["unit_code"], r["verdict"], r["last_contact_on"]) for r in rows] == [
        (1, "lead", B, None, "2026-10-20"), (2, "formal", A, "pass", None)]
    code, out, _ = ok("list", "--json", "--user", "ta")
    assert [r["name"] for r in json.loads(out)] == ["澄江新材料项目"]
    code, _, err = ok("list", "--unit", B, "--user", "ta")
    assert code == 1 and "无权查看" in err
    code, out, _ = ok("list", "--stage", "正式签约")
    assert out.split("\t")[:4] == ["2", "澄江新材料项目", "正式签约", A]
    # the leader may read but not write; an unknown account is named
    assert ok("list", "--user", "ld")[0] == 0
    assert ok("add", "x", "--investment", "1", "--unit", A, "--user", "ld")[0] == 1
    code, _, err = ok("list", "--user", "nobody")
    assert code == 2 and "没有账户“nobody”" in err
    log = audit.read(root)
    mine = [(e["user"], e["action"], e["ok"]) for e in log if e["action"].startswith("pipeline_")]
    assert ("ta", "pipeline_lead_move", False) in mine and ("rv", "pipeline_verdict", True) in mine
    assert sum(1 for u, a, o in mine if a == "pipeline_opinion" and o) == 3
    assert any(u.startswith("cli:") and a == "pipeline_lead_add" for u, a, o in mine)
    assert audit.verify(root).ok


def test_leads_cli_bad_input(root, capsys):
    code, _, err = cli(root, capsys, "add", "x", "--investment", "很多", "--unit", A)
    assert code == 1 and err == "错误：预计投资“很多”无效（应为不小于 0 的数字，单位万元）"
    code, _, err = cli(root, capsys, "add", "x", "--investment", "1", "--unit", "火星镇")
    assert code == 2 and "未知的镇街园区：火星镇" in err
    code, _, err = cli(root, capsys, "move", "99", "talks")
    assert code == 1 and err == "错误：没有编号为 99 的招商线索"
    code, _, err = cli(root, capsys, "list", "--stage", "签了")
    assert code == 2 and "阶段“签了”无效" in err
