-- Month models: table macros reading one snapshot month's rows of a model from the in-memory
-- relation db.py materialises for it once per published version (see lifecycle/query/db.py),
-- and the models those relations are built from. A NULL or unpublished month has no rows.
-- Relation names start with the reading version's prefix (session variable rel_prefix, 'v3_').
--   month_projects(m)   one row per project in snapshot m: the int_projects row (relation mp_YYYY_MM)
--   month_approvals(m)  one row per project × approval step in m: the int_approvals row (ma_YYYY_MM)
--   month_ops(m)        one row per project with operations in m: ops_12m (mo_YYYY_MM)
--   month_rate_inputs(m, baseline_m, period_from)  rate_inputs of the whole library
--                       (ri_YYYY_MM_<baseline YYYY_MM>_<period start YYYYMMDD>)
--   unit_month_cube(m_from, m)  unit_month_rows of every month from m_from to m (mu_YYYY_MM)
--   plan_baselines(m)   one row per project: its baseline planned dates as of m (pb_YYYY_MM: the
--                       plan_baseline_rows of every month, computed once per version)
CREATE OR REPLACE MACRO month_projects(m) AS TABLE
SELECT * FROM query_table(getvariable('rel_prefix') || coalesce('mp_' || replace(m, '-', '_'), 'mp_none'));

CREATE OR REPLACE MACRO month_approvals(m) AS TABLE
SELECT * FROM query_table(getvariable('rel_prefix') || coalesce('ma_' || replace(m, '-', '_'), 'ma_none'));

CREATE OR REPLACE MACRO month_ops(m) AS TABLE
SELECT * FROM query_table(getvariable('rel_prefix') || coalesce('mo_' || replace(m, '-', '_'), 'mo_none'));

CREATE OR REPLACE MACRO month_rate_inputs(m, baseline_m, period_from) AS TABLE
SELECT * FROM query_table(getvariable('rel_prefix') || 'ri_' || replace(m, '-', '_') || '_' || replace(baseline_m, '-', '_') || '_'
    || strftime(coalesce(CAST(period_from AS DATE), make_date(CAST(left(m, 4) AS INTEGER), 1, 1)), '%Y%m%d'));

-- One row per snapshot month × project with operations in it: output and tax of the trailing
-- 12 operating months ending with the snapshot month (that month and the 11 before it, as
-- reported in that snapshot) and how many of those months were reported. The window behind
-- 亩均税收/亩均产出, capacity realisation and the capacity_not_reached flag.
CREATE OR REPLACE VIEW ops_12m AS
SELECT snapshot_month, project_id,
       sum(output_value_wan) AS output_12m_wan,
       sum(tax_wan) AS tax_12m_wan,
       count(*) AS operating_months_12m
FROM stg_operations
WHERE strftime(month, '%Y-%m')
      BETWEEN strftime(CAST(snapshot_month || '-01' AS DATE) - INTERVAL 11 MONTH, '%Y-%m') AND snapshot_month
GROUP BY snapshot_month, project_id;

-- One row per snapshot month × drill-down unit × slice cell (tier band, industry section,
-- origin, category, major level): projects in the library, projects started / completed in that month, and
-- this year's investment done. unit_month.sql adds the cells of a slice up.
CREATE OR REPLACE VIEW unit_month_rows AS
SELECT
    snapshot_month, unit_code, unit_name, tier_band, industry_section, origin, category, major_level,
    count_if(in_library) AS in_library,
    count_if(strftime(started_on, '%Y-%m') = snapshot_month) AS started_in_month,
    count_if(strftime(completed_on, '%Y-%m') = snapshot_month) AS completed_in_month,
    sum(year_done_wan) AS year_done_wan
FROM int_projects
GROUP BY ALL;

CREATE OR REPLACE MACRO unit_month_cube(m_from, m) AS TABLE
SELECT * FROM query_table([
    getvariable('rel_prefix') || 'mu_' || strftime(d, '%Y_%m')
    FOR d IN range(CAST(m_from || '-01' AS DATE), CAST(m || '-01' AS DATE) + INTERVAL 1 MONTH, INTERVAL 1 MONTH)
]);

-- One row per project ever published: for each planned-date column, the first non-empty value
-- it had (its baseline, docs/domain.md §6) and the snapshot month it first had one (as yyyymm).
-- Read from the stored rows directly: only project_id, the month and the four planned dates are
-- needed (the month as an integer key: a much cheaper arg_min than on text).
CREATE OR REPLACE VIEW plan_baseline_rows AS
WITH r AS (
    SELECT project_id, CAST(replace(month, '-', '') AS INTEGER) AS mk,
           planned_started_on, planned_completed_on, planned_production_on, planned_capacity_on
    FROM raw_projects
)
SELECT
    project_id,
    arg_min(planned_started_on, mk) FILTER (WHERE planned_started_on IS NOT NULL) AS started_on,
    min(mk) FILTER (WHERE planned_started_on IS NOT NULL) AS started_month,
    arg_min(planned_completed_on, mk) FILTER (WHERE planned_completed_on IS NOT NULL) AS completed_on,
    min(mk) FILTER (WHERE planned_completed_on IS NOT NULL) AS completed_month,
    arg_min(planned_production_on, mk) FILTER (WHERE planned_production_on IS NOT NULL) AS production_on,
    min(mk) FILTER (WHERE planned_production_on IS NOT NULL) AS production_month,
    arg_min(planned_capacity_on, mk) FILTER (WHERE planned_capacity_on IS NOT NULL) AS capacity_on,
    min(mk) FILTER (WHERE planned_capacity_on IS NOT NULL) AS capacity_month
FROM r
GROUP BY project_id;

-- The baselines as of snapshot m: the first non-empty planned date in any snapshot up to m.
CREATE OR REPLACE MACRO plan_baselines(m) AS TABLE
SELECT
    project_id,
    CASE WHEN started_month <= CAST(replace(m, '-', '') AS INTEGER) THEN started_on END AS baseline_started_on,
    CASE WHEN completed_month <= CAST(replace(m, '-', '') AS INTEGER) THEN completed_on END AS baseline_completed_on,
    CASE WHEN production_month <= CAST(replace(m, '-', '') AS INTEGER) THEN production_on END AS baseline_production_on,
    CASE WHEN capacity_month <= CAST(replace(m, '-', '') AS INTEGER) THEN capacity_on END AS baseline_capacity_on
FROM query_table(getvariable('rel_prefix') || coalesce('pb_' || replace(m, '-', '_'), 'pb_none'));

-- One row per project of snapshot m (month_projects) with its baselines as of m (plan_baselines;
-- NULL where it never had a plan) as base_started / base_completed / base_production: the
-- forecasts' "was the entry milestone late against its baseline" (docs/forecast.md).
CREATE OR REPLACE MACRO projects_with_baselines(m) AS TABLE
SELECT p.*, b.baseline_started_on AS base_started, b.baseline_completed_on AS base_completed,
       b.baseline_production_on AS base_production
FROM month_projects(m) AS p LEFT JOIN plan_baselines(m) AS b USING (project_id);
