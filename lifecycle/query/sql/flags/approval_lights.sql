-- One row per project × approval step at $month (projects of the slice, in the library):
-- the traffic light (rule: int_approvals.sql — green, green_late, yellow, red).
WITH p AS (
    SELECT project_id, name, unit_code, unit_name, owner
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library
)
SELECT
    p.project_id, p.name, p.unit_code, p.unit_name, p.owner,
    a.step, a.dept, a.received_on, a.due_on, a.done_on, a.light, a.days_open, a.days_past_due
FROM p
JOIN int_approvals AS a ON a.project_id = p.project_id AND a.snapshot_month = $month
ORDER BY p.project_id, a.received_on, a.step;
