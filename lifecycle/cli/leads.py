"""`python -m lifecycle leads add|list|move|contact|review|opinion|decide`: the 招商 pipeline from
the command line (docs/domain.md §16.4). `--user NAME` acts as that account (its role's
permissions and, for a township account, its unit only); without it the operator acts as the
system user `system` (every permission, every unit). Every write is in the audit log."""
from __future__ import annotations

import datetime as dt
import json

from lifecycle.cli.common import EXIT_OK, EXIT_VALIDATION, CliError, unit_of
from lifecycle.domain.config import default_store


def _store(args):
    from lifecycle.store.snapshots import Store

    st = Store(args.store or default_store())
    if not st.root.is_dir():
        raise CliError(f"数据目录不存在：{st.root}")
    if not st.meta.get("region"):
        raise CliError(f"数据目录 {st.root} 尚未指定地区（请先导入或生成数据）")
    return st


def _actor(st, name: str | None):
    from lifecycle.domain import labels
    from lifecycle.store import accounts, pipeline

    if not name:
        return pipeline.SYSTEM
    acc = accounts.get(st.root, name)
    if acc is None:
        raise CliError(labels.PIPELINE_ACCESS_TEXT["no_user"].format(name=name))
    if acc.disabled:
        raise CliError(labels.PIPELINE_ACCESS_TEXT["user_disabled"].format(name=name))
    return acc


def _unit(st, text: str | None) -> str | None:
    return unit_of(st.region, text)


def _audit(st, acc, action: str, target: str, ok: bool, **detail) -> None:
    from lifecycle.store import audit, pipeline

    user = audit.cli_user() if acc is pipeline.SYSTEM else acc.name
    role = "operator" if acc is pipeline.SYSTEM else acc.role
    audit.append(st.root, user, role, action, scope=acc.unit_code or "all", target=target, ok=ok,
                 detail={k: (str(v) if isinstance(v, (dt.date, dt.datetime)) else v)
                         for k, v in detail.items() if v is not None} or None)


def _write(st, acc, action: str, target: str, fn, **detail):
    from lifecycle.store import pipeline

    try:
        result = fn()
    except pipeline.PipelineError as e:
        _audit(st, acc, action, target, False, message=str(e), **detail)
        raise CliError(str(e), EXIT_VALIDATION) from None
    _audit(st, acc, action, target, True, result=result, **detail)
    return result


def cmd_leads(args) -> int:
    from lifecycle.domain import labels
    from lifecycle.store import pipeline

    st = _store(args)
    acc = _actor(st, args.user)
    root = st.root
    c = args.leads_cmd
    if c == "list":
        units = [_unit(st, u) for u in args.unit] if args.unit else None
        try:
            df = pipeline.visible_leads(root, acc, units)
        except pipeline.PipelineError as e:
            _audit(st, acc, "denied", "pipeline", False, message=str(e))
            raise CliError(str(e), EXIT_VALIDATION) from None
        if args.stage:
            try:
                stage = pipeline._check_stage(args.stage)
            except pipeline.PipelineError as e:
                raise CliError(str(e)) from None
            df = df.filter(df["stage"] == stage)
        cols = ["lead_id", "name", "stage", "unit_code", "channel", "industry_chain", "project_type",
                "expected_investment_wan", "source_body", "owner", "last_contact_on", "version",
                "review_id", "verdict", "reasons", "decided_on"]
        rows = df.select(cols).rows(named=True)
        if args.json:
            print(json.dumps([{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}
                              for r in rows], ensure_ascii=False))
        else:
            for r in rows:
                print("\t".join("" if r[k] is None else (labels.PIPELINE_STAGES[r[k]] if k == "stage" else
                                                         labels.REVIEW_VERDICTS.get(r[k], r[k]) if k == "verdict"
                                                         else str(r[k])) for k in cols))
        return EXIT_OK
    if c == "add":
        fields = {"unit_code": _unit(st, args.unit), "channel": args.channel, "industry_chain": args.chain,
                  "project_type": args.type, "expected_investment_wan": args.investment, "source_body": args.source,
                  "owner": args.owner, "last_contact_on": args.contact, "note": args.note}
        lid = _write(st, acc, "pipeline_lead_add", "lead:new",
                     lambda: pipeline.enter_lead(root, acc, args.name, stage=args.stage, **fields),
                     name=args.name, unit=fields["unit_code"])
        print(lid)
    elif c == "move":
        v = _write(st, acc, "pipeline_lead_move", f"lead:{args.lead_id}",
                   lambda: pipeline.advance_lead(root, acc, args.lead_id, args.stage, base_version=args.base_version),
                   stage=args.stage)
        print(f"线索 {args.lead_id} 第{v}版：{args.stage}")
    elif c == "contact":
        on = args.on or dt.date.today().isoformat()
        v = _write(st, acc, "pipeline_lead_contact", f"lead:{args.lead_id}",
                   lambda: pipeline.contact_lead(root, acc, args.lead_id, on), on=on)
        print(f"线索 {args.lead_id} 第{v}版：最近联系 {on}")
    elif c == "review":
        _write(st, acc, "pipeline_lead_move", f"lead:{args.lead_id}",
               lambda: pipeline.advance_lead(root, acc, args.lead_id, "review"), stage="review")
        print(pipeline.get_lead(root, args.lead_id)["review_id"])
    elif c == "opinion":
        oid = _write(st, acc, "pipeline_opinion", f"review:{args.review_id}",
                     lambda: pipeline.record_opinion(root, acc, args.review_id, args.dimension, args.text),
                     dimension=args.dimension)
        print(oid)
    elif c == "decide":
        on = args.on or dt.date.today().isoformat()
        _write(st, acc, "pipeline_verdict", f"review:{args.review_id}",
               lambda: pipeline.record_verdict(root, acc, args.review_id, args.verdict, args.reasons, on),
               verdict=args.verdict, on=on)
        print(f"审查 {args.review_id}：{args.verdict}（{on}）")
    return EXIT_OK


def register_cli(sub, store_arg) -> None:
    from lifecycle.cli.common import command_group

    ps, common = command_group(sub, "leads", "招商线索与审查（登记、列表、推进、联系、审查意见与结论）", cmd_leads, store_arg)

    s = ps.add_parser("list", help="列出线索（镇街账户仅本单位）")
    s.add_argument("--unit", action="append", help="只列该镇街/板块（代码或名称，可重复）")
    s.add_argument("--stage", help="只列该阶段（lead/talks/review/intent/formal 或中文）")
    s.add_argument("--json", action="store_true", help="JSON 输出")
    common(s)

    s = ps.add_parser("add", help="登记线索（输出线索编号）")
    s.add_argument("name", help="项目名称")
    s.add_argument("--investment", required=True, help="预计投资（万元）")
    s.add_argument("--unit", help="所属镇街/板块（代码或名称；镇街账户为本单位）")
    s.add_argument("--stage", default="lead", help="lead（线索，默认）或 talks（洽谈）")
    s.add_argument("--channel", help="招商渠道")
    s.add_argument("--chain", help="产业链")
    s.add_argument("--type", help="项目类型（龙头型/旗舰型/基地型/其他）")
    s.add_argument("--source", help="招商主体")
    s.add_argument("--owner", help="责任人")
    s.add_argument("--contact", help="最近联系日期 YYYY-MM-DD")
    s.add_argument("--note", help="备注")
    common(s)

    s = ps.add_parser("move", help="推进阶段（审查即开启一轮审查；签约须审查通过）")
    s.add_argument("lead_id", type=int)
    s.add_argument("stage", help="talks/review/intent/formal 或中文")
    s.add_argument("--base-version", type=int, help="所依据的版本（他人已修改时拒绝）")
    common(s)

    s = ps.add_parser("contact", help="记录联系")
    s.add_argument("lead_id", type=int)
    s.add_argument("--on", help="联系日期 YYYY-MM-DD，默认今天")
    common(s)

    s = ps.add_parser("review", help="开启一轮审查（输出审查轮次编号）")
    s.add_argument("lead_id", type=int)
    common(s)

    s = ps.add_parser("opinion", help="录入审查意见（审查委员会成员）")
    s.add_argument("review_id", type=int)
    s.add_argument("dimension", help="legal/commercial/financial 或 法务/商务/财务")
    s.add_argument("text", help="意见")
    common(s)

    s = ps.add_parser("decide", help="记录审查结论（审查委员会成员或数据管理员）")
    s.add_argument("review_id", type=int)
    s.add_argument("verdict", help="pass/veto/more 或 通过/否决/补充材料")
    s.add_argument("--reasons", help="理由（否决、补充材料必填）")
    s.add_argument("--on", help="结论日期 YYYY-MM-DD，默认今天")
    common(s)
