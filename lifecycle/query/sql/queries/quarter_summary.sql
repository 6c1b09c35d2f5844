-- One row per drill-down unit of the slice (plus a total row with unit_code NULL): the
-- quarter's counts of projects started and completed, and of projects planned to start /
-- complete in the quarter split by plan against actual (quarter_rows in review_models.sql).
WITH q AS (
    SELECT * FROM quarter_rows($month, $plan_month, $q_start, $q_end, $units, $tiers, $sections, $origins, $categories, $majors)
),
u AS (
    SELECT * FROM slice_units($units)
    UNION
    SELECT DISTINCT unit_code, unit_name FROM q
)
SELECT
    u.unit_code,
    CASE WHEN GROUPING(u.unit_code) = 1 THEN NULL ELSE any_value(u.unit_name) END AS unit_name,
    count(q.project_id) FILTER (WHERE q.started_in_q)                                        AS started_count,
    coalesce(sum(q.total_investment_wan) FILTER (WHERE q.started_in_q), 0)                   AS started_investment_wan,
    count(q.project_id) FILTER (WHERE q.completed_in_q)                                      AS completed_count,
    coalesce(sum(q.total_investment_wan) FILTER (WHERE q.completed_in_q), 0)                 AS completed_investment_wan,
    count(q.project_id) FILTER (WHERE q.planned_start_in_q)                                  AS planned_start_count,
    count(q.project_id) FILTER (WHERE q.planned_start_in_q AND q.start_status = 'on_time')   AS planned_start_on_time,
    count(q.project_id) FILTER (WHERE q.planned_start_in_q AND q.start_status = 'late')      AS planned_start_late,
    count(q.project_id) FILTER (WHERE q.planned_start_in_q AND q.start_status = 'overdue')   AS planned_start_overdue,
    count(q.project_id) FILTER (WHERE q.planned_start_in_q AND q.start_status = 'pending')   AS planned_start_pending,
    count(q.project_id) FILTER (WHERE q.planned_complete_in_q)                               AS planned_complete_count,
    count(q.project_id) FILTER (WHERE q.planned_complete_in_q AND q.complete_status = 'on_time') AS planned_complete_on_time,
    count(q.project_id) FILTER (WHERE q.planned_complete_in_q AND q.complete_status = 'late')    AS planned_complete_late,
    count(q.project_id) FILTER (WHERE q.planned_complete_in_q AND q.complete_status = 'overdue') AS planned_complete_overdue,
    count(q.project_id) FILTER (WHERE q.planned_complete_in_q AND q.complete_status = 'pending') AS planned_complete_pending
FROM u
LEFT JOIN q ON q.unit_code = u.unit_code
GROUP BY GROUPING SETS ((u.unit_code), ())
ORDER BY GROUPING(u.unit_code), u.unit_code;
