-- One row per project × planned-date column × change between consecutive snapshots up to
-- $month: the old and new planned date and the month the change was first reported.
-- The baseline is the first non-empty planned date the project had (up to $month).
-- One pass: the four previous values come from one window over the project's snapshots
-- (months up to $month: the caller narrows the staging view to them); only changed rows are
-- unpivoted.
WITH h AS MATERIALIZED (
    SELECT project_id, snapshot_month,
        planned_started_on, planned_completed_on, planned_production_on, planned_capacity_on,
        lag(planned_started_on) OVER w AS prev_started_on,
        lag(planned_completed_on) OVER w AS prev_completed_on,
        lag(planned_production_on) OVER w AS prev_production_on,
        lag(planned_capacity_on) OVER w AS prev_capacity_on
    FROM stg_projects
    WHERE snapshot_month <= $month AND ($project_id IS NULL OR project_id = $project_id)
    WINDOW w AS (PARTITION BY project_id ORDER BY snapshot_month)
),
changes AS (
    SELECT project_id, 'planned_started_on' AS planned_column, snapshot_month,
           prev_started_on AS old_date, planned_started_on AS new_date
    FROM h WHERE prev_started_on IS NOT NULL AND planned_started_on IS DISTINCT FROM prev_started_on
    UNION ALL
    SELECT project_id, 'planned_completed_on', snapshot_month, prev_completed_on, planned_completed_on
    FROM h WHERE prev_completed_on IS NOT NULL AND planned_completed_on IS DISTINCT FROM prev_completed_on
    UNION ALL
    SELECT project_id, 'planned_production_on', snapshot_month, prev_production_on, planned_production_on
    FROM h WHERE prev_production_on IS NOT NULL AND planned_production_on IS DISTINCT FROM prev_production_on
    UNION ALL
    SELECT project_id, 'planned_capacity_on', snapshot_month, prev_capacity_on, planned_capacity_on
    FROM h WHERE prev_capacity_on IS NOT NULL AND planned_capacity_on IS DISTINCT FROM prev_capacity_on
)
SELECT c.project_id, c.planned_column, c.snapshot_month AS changed_in, c.old_date, c.new_date,
       CASE c.planned_column
           WHEN 'planned_started_on' THEN b.baseline_started_on
           WHEN 'planned_completed_on' THEN b.baseline_completed_on
           WHEN 'planned_production_on' THEN b.baseline_production_on
           ELSE b.baseline_capacity_on
       END AS baseline
FROM changes AS c
LEFT JOIN plan_baselines($month) AS b USING (project_id)
ORDER BY c.project_id, c.planned_column, c.snapshot_month;
