-- Table macro: one row per project of the slice at month m, with its membership in the
-- numerator and denominator of each of the five rates (docs/domain.md §4). This is the single
-- definition of the rates; every page and export aggregates these columns.
--   reached(milestone) = the milestone date is on or before the as-of date — and, for a project
--                        that left the library by then for another reason (无望达效/长期停滞/
--                        暂停流失), on or before its exit date (docs/domain.md §4.1) —
--                        or the project left the library as 达效退库 (achieved) by then.
--   baseline_m         = earliest published snapshot of year(m): fixes the planned-completion list.
--   period_from        = first day of the period (default 1 January of year(m)); NULL = that default.
CREATE OR REPLACE MACRO rate_inputs(m, baseline_m, period_from, units, tiers, sections, origins, categories, majors) AS TABLE
WITH p AS (
    SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors)
),
completion_list AS (
    SELECT DISTINCT project_id
    FROM month_projects(baseline_m)
    WHERE year(planned_completed_on) = CAST(left(m, 4) AS INTEGER)
),
ended AS (
    -- reach_by: the date a milestone must be reached by to count (the exit date of a
    -- non-achieved exit that happened by the as-of date, else the as-of date)
    SELECT *,
        CASE WHEN exit_on <= as_of AND coalesce(exit_reason, '') <> 'achieved'
             THEN exit_on ELSE as_of END AS reach_by
    FROM p
),
flags AS (
    SELECT
        p.*,
        coalesce(CAST(period_from AS DATE), make_date(year(as_of), 1, 1)) AS period_start,
        coalesce(filed_on      <= reach_by, FALSE) OR achieved_exit AS reached_filed,
        coalesce(started_on    <= reach_by, FALSE) OR achieved_exit AS reached_started,
        coalesce(completed_on  <= reach_by, FALSE) OR achieved_exit AS reached_completed,
        coalesce(production_on <= reach_by, FALSE) OR achieved_exit AS reached_production,
        coalesce(capacity_on   <= reach_by, FALSE) OR achieved_exit AS reached_capacity,
        project_id IN (SELECT project_id FROM completion_list) AS on_completion_list
    FROM ended AS p
)
SELECT
    project_id, unit_code, tier_band, industry_section, origin, category, major_level,
    (signing_type = 'formal' AND signed_on BETWEEN period_start AND as_of)         AS filing_den,
    (signing_type = 'formal' AND signed_on BETWEEN period_start AND as_of
        AND reached_filed)                                                        AS filing_num,
    coalesce(filed_on BETWEEN period_start AND reach_by, FALSE)                   AS start_den,
    coalesce(filed_on BETWEEN period_start AND reach_by, FALSE) AND reached_started AS start_num,
    CASE WHEN year_plan_wan > 0 THEN year_plan_wan ELSE 0 END                      AS investment_den,
    CASE WHEN year_plan_wan > 0 THEN coalesce(year_done_wan, 0) ELSE 0 END         AS investment_num,
    on_completion_list                                                            AS production_den,
    on_completion_list AND reached_completed AND reached_production               AS production_num,
    (reached_production AND coalesce(planned_capacity_on <= as_of, FALSE))        AS capacity_den,
    (reached_production AND coalesce(planned_capacity_on <= as_of, FALSE)
        AND reached_capacity)                                                     AS capacity_num,
    -- the dates the verified-only numerators check (docs/domain.md §17.4, rates.sql)
    filed_on, started_on, completed_on
FROM flags;
