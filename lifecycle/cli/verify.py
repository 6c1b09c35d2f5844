"""`python -m lifecycle verify list|set`: verified milestones 节点核实 from the command line
(docs/domain.md §17). `list` prints the milestones of a snapshot with their status (or, with
`--stale`, the 超期未核实 list); `set` records a status for a project's milestone. `--user NAME`
acts as that account (permission `verify`; a township account only its unit's projects, and
`list` shows only its unit); without it the operator acts as the system user. Every `set`,
accepted or refused, is an audit entry (`verify_set`)."""
from __future__ import annotations

import datetime as dt
import json

from lifecycle.cli.common import EXIT_OK, EXIT_VALIDATION, CliError, month_of, open_metrics, unit_of
from lifecycle.cli.leads import _actor, _audit, _store

LIST_COLUMNS = ["project_id", "name", "unit_name", "milestone", "milestone_date", "verify_status", "verified_by",
                "verified_at", "verify_note", "age_days"]


def _text(v) -> str:
    return "" if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v))


def cmd_verify(args) -> int:
    from lifecycle.domain import labels
    from lifecycle.query.metrics import Scope, Slice
    from lifecycle.store import pipeline, verification

    st = _store(args)
    acc = _actor(st, args.user)
    if args.verify_cmd == "set":
        target = f"project:{args.project_id}"
        detail = {"milestone": args.milestone, "status": args.status, "month": args.month}
        try:
            eid = verification.set_status(st.root, acc, args.project_id, args.milestone, args.status,
                                          note=args.note, month=args.month)
        except verification.VerificationError as e:
            _audit(st, acc, "verify_set", target, False, message=str(e), **detail)
            raise CliError(str(e), EXIT_VALIDATION) from None
        _audit(st, acc, "verify_set", target, True, result=eid, **detail)
        ev = verification.events(st.root, args.project_id).row(-1, named=True)
        print(labels.VERIFY_TEXT["ok"].format(pid=ev["project_id"], milestone=labels.VERIFY_MILESTONES[ev["milestone"]],
                                              date=ev["milestone_date"], status=labels.VERIFY_STATUSES[ev["status"]]))
        return EXIT_OK
    # list
    m = open_metrics(st.root)
    if acc is not pipeline.SYSTEM:
        m.scope = Scope.of(acc)
    month = month_of(m, args.month)
    units = tuple(unit_of(st.region, u) for u in args.unit) if args.unit else None
    sl = Slice(units=units)
    if args.stale:
        df = m.unverified(month, sl, args.days)
    else:
        df = m.milestone_verification(month, sl)
    try:
        if args.milestone:
            df = df.filter(df["milestone"] == verification.check_milestone(args.milestone))
        if args.status:
            df = df.filter(df["verify_status"] == verification.check_status(args.status))
    except verification.VerificationError as e:
        raise CliError(str(e)) from None
    rows = df.select(LIST_COLUMNS).rows(named=True)
    if args.json:
        print(json.dumps([{k: (_text(v) if isinstance(v, dt.date) else v) for k, v in r.items()} for r in rows],
                         ensure_ascii=False))
        return EXIT_OK
    for r in rows:
        r = dict(r, milestone=labels.VERIFY_MILESTONES[r["milestone"]],
                 verify_status=labels.VERIFY_STATUSES[r["verify_status"]])
        print("\t".join(_text(r[k]) for k in LIST_COLUMNS))
    return EXIT_OK


def register_cli(sub, store_arg) -> None:
    from lifecycle.cli.common import command_group

    ps, common = command_group(sub, "verify", "节点核实（注册、落户、备案、开工、竣工的核实状态）", cmd_verify, store_arg,
                               month=True)

    s = ps.add_parser("list", help="列出带日期的节点及核实状态（--stale：超期未核实）")
    s.add_argument("--unit", action="append", help="只列该镇街/板块（代码或名称，可重复）")
    s.add_argument("--milestone", help="只列该节点（registration/settle/filing/start/completion 或中文）")
    s.add_argument("--status", help="只列该状态（pending/verified/doubtful 或 待核实/已核实/存疑）")
    s.add_argument("--stale", action="store_true", help="只列超期未核实（待核实、存疑且节点日期早于统计日 N 天以上）")
    s.add_argument("--days", type=int, default=None, help="超期天数，默认配置 [verification] stale_days")
    s.add_argument("--json", action="store_true", help="JSON 输出")
    common(s)

    s = ps.add_parser("set", help="登记核实结果（核实的是该月快照中的节点日期）")
    s.add_argument("project_id", help="项目编号")
    s.add_argument("milestone", help="registration/settle/filing/start/completion 或 注册/落户/备案/开工/竣工")
    s.add_argument("status", help="pending/verified/doubtful 或 待核实/已核实/存疑")
    s.add_argument("--note", help="核实说明（存疑必填）")
    common(s)
