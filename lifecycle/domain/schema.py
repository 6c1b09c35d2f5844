"""Schema of the four snapshot tables (docs/domain.md §6): column names, logical types, and
conversions to Polars / Arrow schemas. Chinese headers come from `labels.COLUMNS`."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # str | date | float | int | bool
    required: bool = False  # must be non-empty on import


def _cols(spec: str) -> list[Column]:
    out = []
    for line in spec.strip().splitlines():
        parts = line.split()
        out.append(Column(parts[0], parts[1], len(parts) > 2 and parts[2] == "required"))
    return out


MILESTONES: list[str] = [
    "signed_on",
    "filed_on",
    "started_on",
    "completed_on",
    "production_on",
    "capacity_on",
]
PLANNED: list[str] = [
    "planned_started_on",
    "planned_completed_on",
    "planned_production_on",
    "planned_capacity_on",
]

TABLES: dict[str, list[Column]] = {
    "projects": _cols(
        """
        project_id str required
        project_code str
        name str required
        enterprise str
        credit_code str
        township_code str required
        park str
        industry_section str
        industry_chain str
        origin str
        category str
        is_infrastructure bool
        signing_type str required
        total_investment_wan float
        equipment_plan_wan float
        land_area_mu float
        designed_output_wan float
        designed_tax_wan float
        signed_on date required
        filed_on date
        started_on date
        completed_on date
        production_on date
        capacity_on date
        planned_started_on date
        planned_completed_on date
        planned_production_on date
        planned_capacity_on date
        year_plan_wan float
        year_done_wan float
        cumulative_done_wan float
        equipment_done_wan float
        exit_on date
        exit_reason str
        lead_dept str
        owner str
        land_acquired_on date
        joint_acceptance bool
        campaign str
        above_scale_on date
        land_demand_mu float
        emission_demand_t float
        energy_demand_tce float
        land_allocated_mu float
        emission_allocated_t float
        energy_allocated_tce float
        agency_service bool
        tolerance_prereview bool
        parallel_approval bool
        building_area_m2 float
        rd_deduction_wan float
        intent_signed_on date
        major_level str
        lead_id int
        """
    ),
    "approvals": _cols(
        """
        project_id str required
        step str required
        dept str
        received_on date
        due_on date
        done_on date
        """
    ),
    "operations": _cols(
        """
        project_id str required
        month date required
        orders_wan float
        capacity_utilization float
        invoiced_sales_wan float
        output_value_wan float
        tax_wan float
        profit_wan float
        electricity_mwh float
        employees int
        """
    ),
    "problems": _cols(
        """
        problem_id str required
        project_id str required
        raised_on date
        kind str
        summary str
        assigned_dept str
        resolved_on date
        deadline_on date
        """
    ),
    # resource quotas per unit and year (docs/domain.md §13); an optional sheet of the ledger
    "quotas": _cols(
        """
        unit_code str required
        year int required
        land_unsupplied_mu float
        land_unused_mu float
        land_reserve_mu float
        emission_t float
        energy_tce float
        """
    ),
}
# Tables a ledger and a publication may leave out; a month published without one (or before it
# existed) reads it as empty (Store.read).
OPTIONAL_TABLES: frozenset[str] = frozenset({"quotas"})

TABLE_NAMES: list[str] = list(TABLES)

# The 招商 pipeline sheets of the ledger (docs/domain.md §16.5): optional sheets that are NOT
# snapshot tables -- the import writes them to <store>/pipeline.sqlite (store/pipeline.py) and
# the month export reads them from there. They are in TABLES (so the parser, `column`, `conform`
# know them) but not in TABLE_NAMES (so no snapshot, query or publication ever sees them).
PIPELINE_SHEETS: dict[str, list[Column]] = {
    "leads": _cols(
        """
        lead_id int required
        version int
        name str required
        stage str required
        channel str
        industry_chain str
        project_type str
        expected_investment_wan float required
        source_body str
        owner str
        unit_code str
        last_contact_on date
        project_id str
        note str
        """
    ),
    "reviews": _cols(
        """
        lead_id int required
        round int required
        dimension str
        reviewer str
        opinion str
        verdict str
        reasons str
        date date
        """
    ),
}
TABLES.update(PIPELINE_SHEETS)
PIPELINE_SHEET_NAMES: list[str] = list(PIPELINE_SHEETS)
# every sheet a ledger may carry: the snapshot tables, then the pipeline sheets
SHEET_NAMES: list[str] = TABLE_NAMES + PIPELINE_SHEET_NAMES
TABLE_LABELS: dict[str, str] = {
    "projects": "项目",
    "approvals": "审批",
    "operations": "运行",
    "problems": "问题",
    "quotas": "要素指标",
}

_POLARS = {
    "str": pl.String,
    "date": pl.Date,
    "float": pl.Float64,
    "int": pl.Int64,
    "bool": pl.Boolean,
}
ENUMS: dict[str, set[str]] = {
    "signing_type": {"intent", "formal"},
    "origin": {"new", "upgrade"},
    "category": {"industry", "service"},
    "exit_reason": {"achieved", "hopeless", "stalled", "lost"},
    "major_level": {"provincial", "municipal"},
}


def polars_schema(table: str) -> dict[str, pl.DataType]:
    return {c.name: _POLARS[c.kind] for c in TABLES[table]}


def column(table: str, name: str) -> Column:
    for c in TABLES[table]:
        if c.name == name:
            return c
    raise KeyError(f"{table}.{name}")


def conform(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Return `df` with exactly the table's columns, in order, cast to their types.
    Missing optional columns are added as nulls; extra columns are dropped."""
    schema = polars_schema(table)
    exprs = []
    for name, dtype in schema.items():
        if name in df.columns:
            exprs.append(pl.col(name).cast(dtype, strict=True).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    return df.select(exprs)


def empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(table))
