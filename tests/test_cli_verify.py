"""`python -m lifecycle verify list|set` (docs/domain.md §17): recording statuses as the system
user and as accounts (a township account: its unit's projects only), the list and the 超期未核实
list with a day threshold (JSON), one-line Chinese errors, audit entries.

Store (Jiangyin, one snapshot 2026-06): P1 (澄江街道) signed 2026-01-10, filed 2026-02-01; P2
(南闸街道) signed 2026-03-10, filed 2026-06-20. The reference day of the latest month is today,
so the stale threshold is taken as P2's filing age N: older than N days are the two
registrations (P1's 存疑), not P2's filing (exactly N) nor P1's filing (verified)."""
from __future__ import annotations

import json

from helpers import project, publish
from lifecycle.cli import main
from lifecycle.store import accounts, audit, verification

A, B = "320281001", "320281004"  # 澄江街道, 南闸街道
PW = "cli-password-123"


def cli(root, capsys, *args):
    code = main(["verify", *args, "--store", str(root)])
    out = capsys.readouterr()
    return code, out.out.strip(), out.err.strip()


def test_verify_cli(make_store, capsys):
    st = make_store("jiangyin")
    publish(st, "2026-06", [project("P1", township_code=A, signed_on="2026-01-10", filed_on="2026-02-01"),
                            project("P2", township_code=B, signed_on="2026-03-10", filed_on="2026-06-20")])
    root = st.root
    accounts.add(root, "ta", "township", A, password=PW, region_key="jiangyin")
    accounts.add(root, "ld", "leader", password=PW)
    code, out, _ = cli(root, capsys, "set", "P1", "备案", "已核实")
    assert (code, out) == (0, "已登记：项目 P1 备案（2026-02-01）已核实")
    code, _, err = cli(root, capsys, "set", "P2", "filing", "verified", "--user", "ta")
    assert code == 1 and err == "错误：无权操作：项目 P2 不属于本账户的澄江街道"
    code, _, err = cli(root, capsys, "set", "P1", "filing", "doubtful", "--user", "ta")
    assert code == 1 and "须填写核实说明" in err and "\n" not in err
    code, _, err = cli(root, capsys, "set", "P1", "filing", "verified", "--user", "ld")
    assert code == 1 and err.startswith("错误：无权操作：登记核实结果须为")
    code, _, err = cli(root, capsys, "set", "P1", "签约", "verified")
    assert code == 1 and "核实节点“签约”无效" in err
    assert cli(root, capsys, "set", "P1", "registration", "存疑", "--note", "注册地不符", "--user", "ta")[0] == 0
    # the list: 2 registrations + 2 filings, P1 filing verified, P1 registration 存疑
    code, out, _ = cli(root, capsys, "list", "--json")
    rows = {(r["project_id"], r["milestone"]): r for r in json.loads(out)}
    assert len(rows) == 4
    assert rows[("P1", "filing")]["verify_status"] == "verified" and rows[("P1", "filing")]["verified_by"] == "system"
    assert rows[("P1", "registration")]["verify_note"] == "注册地不符"
    assert rows[("P2", "filing")]["verify_status"] == "pending"
    # a township account lists its unit only
    code, out, _ = cli(root, capsys, "list", "--json", "--user", "ta")
    assert {r["project_id"] for r in json.loads(out)} == {"P1"}
    # 超期未核实 with a threshold between P2's filing age and P1's registration age: not verified
    # and older than N days; P2 filing (2026-06-20) is the youngest
    age_p2 = rows[("P2", "filing")]["age_days"]
    code, out, _ = cli(root, capsys, "list", "--stale", "--days", str(age_p2), "--json")
    got = [(r["project_id"], r["milestone"]) for r in json.loads(out)]
    # P1 registration (2026-01-10, 存疑) and P2 registration (2026-03-10); P2 filing is exactly N days: not listed
    assert got == [("P1", "registration"), ("P2", "registration")]
    log = [e for e in audit.read(root) if e["action"] == "verify_set"]
    assert [e["ok"] for e in log] == [True, False, False, False, False, True]
    assert verification.events(root).height == 2
