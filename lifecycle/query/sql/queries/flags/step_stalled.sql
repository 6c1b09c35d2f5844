-- One row per open approval step of an in-library project of the slice at $month that is more
-- than $stalled_months month(s) past its due date (due_on + N months < as_of; the step's as_of is
-- its snapshot's, the project's).
WITH p AS (
    SELECT project_id, name, unit_code, unit_name, owner, as_of
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library
)
SELECT p.project_id, p.name, p.unit_code, p.unit_name, a.step, a.dept, a.received_on, a.due_on,
       date_diff('day', a.due_on, p.as_of) AS days_past_due,
       date_diff('day', a.due_on, p.as_of) / 30.4375 AS months_past_due,
       p.owner
FROM p
JOIN month_approvals($month) AS a ON a.project_id = p.project_id
WHERE (a.done_on IS NULL OR a.done_on > a.as_of)
  AND a.due_on + to_months($stalled_months) < a.as_of
ORDER BY a.due_on, p.project_id, a.step;
