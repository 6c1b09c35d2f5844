-- One row per approval step of an in-library project of the slice at $month narrowed to $depts
-- and $lights (each NULL = all), ordered by project, date received and step: the checklist, or
-- rows $offset + 1 to $offset + $limit of it ($limit NULL = all).
SELECT project_id, name, unit_code, unit_name, owner,
       step, dept, received_on, due_on, done_on, light, days_open, days_past_due
FROM approval_steps($month, $units, $tiers, $sections, $origins, $categories, $majors, $depts, $lights)
ORDER BY project_id, received_on, step
LIMIT $limit OFFSET $offset;
