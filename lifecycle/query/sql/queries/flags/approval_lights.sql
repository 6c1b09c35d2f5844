-- One row per project × approval step at $month (projects of the slice, in the library):
-- the traffic light (rule: int_approvals.sql — green, green_late, yellow, red).
SELECT project_id, name, unit_code, unit_name, owner,
       step, dept, received_on, due_on, done_on, light, days_open, days_past_due
FROM approval_steps($month, $units, $tiers, $sections, $origins, $categories, $majors, NULL, NULL)
ORDER BY project_id, received_on, step;
