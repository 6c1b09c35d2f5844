-- One row per project × approval step at $month (projects of the slice, in the library):
-- the traffic light. green = done by its due date (or no due date); green_late = done after
-- it; yellow = open and the as-of date is on or before the due date; red = open and past due.
WITH p AS (
    SELECT project_id, name, unit_code, unit_name, as_of, owner
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories)
    WHERE in_library
)
SELECT
    p.project_id, p.name, p.unit_code, p.unit_name, p.owner,
    a.step, a.dept, a.received_on, a.due_on, a.done_on,
    CASE
        WHEN a.done_on IS NOT NULL AND a.done_on <= p.as_of THEN
            CASE WHEN a.due_on IS NOT NULL AND a.done_on > a.due_on THEN 'green_late' ELSE 'green' END
        WHEN a.due_on IS NULL OR p.as_of <= a.due_on THEN 'yellow'
        ELSE 'red'
    END AS light,
    CASE WHEN a.done_on IS NULL OR a.done_on > p.as_of
         THEN date_diff('day', a.received_on, p.as_of) END AS days_open,
    CASE WHEN (a.done_on IS NULL OR a.done_on > p.as_of) AND a.due_on < p.as_of
         THEN date_diff('day', a.due_on, p.as_of) END AS days_past_due
FROM p
JOIN stg_approvals AS a ON a.project_id = p.project_id AND a.snapshot_month = $month
ORDER BY p.project_id, a.received_on, a.step;
