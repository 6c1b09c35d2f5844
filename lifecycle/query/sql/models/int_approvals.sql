-- One row per project × approval step per snapshot month, with its traffic light as of the
-- snapshot's as-of date — the single definition of the light rule (docs/domain.md §5):
-- green = done by its due date (or no due date); green_late = done after it; yellow = open and
-- the as-of date is on or before the due date (or no due date); red = open and past due.
CREATE OR REPLACE VIEW int_approvals AS
SELECT
    a.*,
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
FROM stg_approvals AS a;
