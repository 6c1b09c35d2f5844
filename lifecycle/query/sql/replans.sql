-- One row per project × planned-date column × change between consecutive snapshots up to
-- $month: the old and new planned date and the month the change was first reported.
-- The baseline is the first non-empty planned date the project had.
WITH h AS (
    SELECT project_id, snapshot_month, col, planned
    FROM (
        SELECT project_id, snapshot_month, planned_started_on, planned_completed_on,
               planned_production_on, planned_capacity_on
        FROM stg_projects
        WHERE snapshot_month <= $month AND ($project_id IS NULL OR project_id = $project_id)
    ) UNPIVOT INCLUDE NULLS (planned FOR col IN (planned_started_on, planned_completed_on,
                                                planned_production_on, planned_capacity_on))
),
w AS (
    SELECT *,
        lag(planned) OVER (PARTITION BY project_id, col ORDER BY snapshot_month) AS prev_planned,
        first_value(planned IGNORE NULLS) OVER (PARTITION BY project_id, col ORDER BY snapshot_month
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS baseline
    FROM h
)
SELECT project_id, col AS planned_column, snapshot_month AS changed_in, prev_planned AS old_date,
       planned AS new_date, baseline
FROM w
WHERE prev_planned IS NOT NULL AND planned IS DISTINCT FROM prev_planned
ORDER BY project_id, col, snapshot_month;
