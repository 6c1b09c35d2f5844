-- One row per in-library project at $month whose next milestone (开工, 竣工, 投产 or 达产 —
-- the milestones that carry a planned date, docs/domain.md §6.2) is planned after the as-of
-- date and no later than $horizon_end: the milestone, its current planned date, the date the
-- project entered its current stage, the days spent in it so far, and the covariates of the
-- forecast (docs/forecast.md). The whole field: pages narrow it to their slice.
WITH n AS (  -- base_*: the first non-empty planned date in any snapshot up to $month
    SELECT *,
        CASE stage WHEN 'filed' THEN 'started' WHEN 'started' THEN 'completed'
                   WHEN 'completed' THEN 'producing' WHEN 'producing' THEN 'at_capacity' END AS milestone,
        CASE stage WHEN 'filed' THEN filed_on WHEN 'started' THEN started_on
                   WHEN 'completed' THEN completed_on WHEN 'producing' THEN production_on END AS entry_on,
        CASE stage WHEN 'filed' THEN planned_started_on WHEN 'started' THEN planned_completed_on
                   WHEN 'completed' THEN planned_production_on WHEN 'producing' THEN planned_capacity_on END AS planned_on,
        CASE stage WHEN 'started' THEN started_on > base_started
                   WHEN 'completed' THEN completed_on > base_completed
                   WHEN 'producing' THEN production_on > base_production END AS prev_late,
        CASE stage WHEN 'started' THEN date_diff('day', base_started, started_on)
                   WHEN 'completed' THEN date_diff('day', base_completed, completed_on)
                   WHEN 'producing' THEN date_diff('day', base_production, production_on) END AS prev_late_days
    FROM projects_with_baselines($month) WHERE in_library
)
SELECT
    project_id, name, enterprise, unit_code, unit_name, stage, milestone, entry_on, planned_on,
    as_of, date_diff('day', entry_on, as_of) AS elapsed_days,
    date_diff('day', entry_on, planned_on) AS planned_days,
    prev_late, prev_late_days,
    tier_band, category, origin, industry_section, total_investment_wan
FROM n
WHERE milestone IS NOT NULL AND entry_on IS NOT NULL
  AND planned_on > as_of AND planned_on <= $horizon_end
ORDER BY project_id;
