-- Table macro: one row per approval step of an in-library project of the slice at month m, with
-- its traffic light (rule: int_approvals.sql), narrowed to the departments `depts` and lights
-- `lights` (each NULL = all). The single source of the approval checklist, its summary and grid.
CREATE OR REPLACE MACRO approval_steps(m, units, tiers, sections, origins, categories, majors, depts, lights) AS TABLE
WITH p AS (
    SELECT project_id, name, unit_code, unit_name, owner
    FROM sliced(m, units, tiers, sections, origins, categories, majors)
    WHERE in_library
)
SELECT
    p.project_id, p.name, p.unit_code, p.unit_name, p.owner,
    a.step, a.dept, a.received_on, a.due_on, a.done_on, a.light, a.days_open, a.days_past_due
FROM p
JOIN month_approvals(m) AS a ON a.project_id = p.project_id
WHERE (depts IS NULL OR list_contains(depts, a.dept))
  AND (lights IS NULL OR list_contains(lights, a.light));
