-- One row per approval step of project $project_id in the $month snapshot (any state, exited
-- included), with its traffic light by the same rule as flags/approval_lights.sql: green = done
-- by its due date (or no due date); green_late = done after it; yellow = open and the as-of date
-- is on or before the due date; red = open and past due.
SELECT a.step, a.dept, a.received_on, a.due_on, a.done_on,
    CASE
        WHEN a.done_on IS NOT NULL AND a.done_on <= a.as_of THEN
            CASE WHEN a.due_on IS NOT NULL AND a.done_on > a.due_on THEN 'green_late' ELSE 'green' END
        WHEN a.due_on IS NULL OR a.as_of <= a.due_on THEN 'yellow'
        ELSE 'red'
    END AS light,
    CASE WHEN a.done_on IS NULL OR a.done_on > a.as_of
         THEN date_diff('day', a.received_on, a.as_of) END AS days_open,
    CASE WHEN (a.done_on IS NULL OR a.done_on > a.as_of) AND a.due_on < a.as_of
         THEN date_diff('day', a.due_on, a.as_of) END AS days_past_due
FROM stg_approvals AS a
WHERE a.snapshot_month = $month AND a.project_id = $project_id
ORDER BY a.received_on, a.step;
