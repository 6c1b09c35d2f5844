-- One row per approval step of project $project_id in the $month snapshot (any state, exited
-- included), with its traffic light (rule: int_approvals.sql).
SELECT step, dept, received_on, due_on, done_on, light, days_open, days_past_due
FROM month_approvals($month)
WHERE project_id = $project_id
ORDER BY received_on, step;
