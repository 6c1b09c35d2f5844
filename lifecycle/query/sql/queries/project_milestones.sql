-- One row per lifecycle milestone (docs/domain.md §2 order) of project $project_id at $month: the actual
-- date if reached by the as-of date, the current planned date, and the baseline — the first
-- non-empty planned date the project had in any snapshot up to $month (docs/domain.md §6). Milestones
-- with no planned twin (signing, filing) have NULL planned/baseline dates.
WITH cur AS (
    SELECT * FROM month_projects($month) WHERE project_id = $project_id
),
base AS (
    SELECT baseline_started_on AS b_started, baseline_completed_on AS b_completed,
           baseline_production_on AS b_production, baseline_capacity_on AS b_capacity
    FROM (SELECT 1) AS one LEFT JOIN plan_baselines($month) AS b ON b.project_id = $project_id
),
m AS (
    SELECT 1 AS ord, 'signed' AS milestone, cur.signed_on AS actual, NULL::DATE AS planned, NULL::DATE AS baseline, cur.as_of FROM cur
    UNION ALL SELECT 2, 'filed', cur.filed_on, NULL, NULL, cur.as_of FROM cur
    UNION ALL SELECT 3, 'started', cur.started_on, cur.planned_started_on, base.b_started, cur.as_of FROM cur, base
    UNION ALL SELECT 4, 'completed', cur.completed_on, cur.planned_completed_on, base.b_completed, cur.as_of FROM cur, base
    UNION ALL SELECT 5, 'producing', cur.production_on, cur.planned_production_on, base.b_production, cur.as_of FROM cur, base
    UNION ALL SELECT 6, 'at_capacity', cur.capacity_on, cur.planned_capacity_on, base.b_capacity, cur.as_of FROM cur, base
)
SELECT ord, milestone,
       CASE WHEN actual <= as_of THEN actual END AS actual_on,
       planned AS current_plan_on,
       baseline AS baseline_on,
       CASE WHEN actual <= as_of THEN date_diff('day', planned, actual) END AS days_vs_plan,
       CASE WHEN actual <= as_of THEN date_diff('day', baseline, actual) END AS days_vs_baseline,
       CASE WHEN actual <= as_of THEN 'done'
            WHEN planned < as_of THEN 'overdue'
            WHEN planned IS NOT NULL THEN 'pending'
            ELSE 'unplanned' END AS status
FROM m
ORDER BY ord;
