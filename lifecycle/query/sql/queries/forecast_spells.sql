-- One row per project × stage transition the project had entered by $month (the whole field,
-- exited projects included): the spell from the earlier milestone to the next one, in days,
-- for the slippage forecast (docs/forecast.md). Only what snapshot $month and earlier
-- snapshots knew is used (a date after the as-of date counts as not reached, as everywhere).
--   event    = the next milestone was reached by the as-of date (duration = its date − entry);
--   censored = not reached: duration = (exit date if the project left the library unreached,
--              else the as-of date) − entry.
--   prev_late = the entry milestone itself was reached after its baseline plan (the first
--               non-empty planned date in any snapshot up to $month); NULL when it had no plan.
WITH k AS (  -- base_*: the first non-empty planned date in any snapshot up to $month
    SELECT *,
        CASE WHEN filed_on      <= as_of THEN filed_on      END AS d_filed,
        CASE WHEN started_on    <= as_of THEN started_on    END AS d_started,
        CASE WHEN completed_on  <= as_of THEN completed_on  END AS d_completed,
        CASE WHEN production_on <= as_of THEN production_on END AS d_production,
        CASE WHEN capacity_on   <= as_of THEN capacity_on   END AS d_capacity,
        CASE WHEN exit_on <= as_of AND NOT achieved_exit THEN exit_on END AS d_lost
    FROM projects_with_baselines($month)
),
s AS (
    SELECT project_id, 'started' AS milestone, d_filed AS entry_on, d_started AS reached_on,
           NULL::BOOLEAN AS prev_late, * EXCLUDE (project_id) FROM k
    UNION ALL
    SELECT project_id, 'completed', d_started, d_completed, d_started > base_started, * EXCLUDE (project_id) FROM k
    UNION ALL
    SELECT project_id, 'producing', d_completed, d_production, d_completed > base_completed, * EXCLUDE (project_id) FROM k
    UNION ALL
    SELECT project_id, 'at_capacity', d_production, d_capacity, d_production > base_production, * EXCLUDE (project_id) FROM k
)
SELECT
    project_id, milestone, entry_on, reached_on,
    reached_on IS NOT NULL AS event,
    date_diff('day', entry_on, coalesce(reached_on, least(coalesce(d_lost, as_of), as_of))) AS days,
    prev_late, tier_band, category, origin, industry_section, unit_code
FROM s
WHERE entry_on IS NOT NULL
  AND coalesce(reached_on, least(coalesce(d_lost, as_of), as_of)) >= entry_on
ORDER BY milestone, project_id;
