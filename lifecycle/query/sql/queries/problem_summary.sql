-- One row per group of the problems in problem_rows (the rows of problems.sql), grouped by
-- $group_by ('dept': the responsible department, $unknown when none; 'unit': the drill-down
-- unit), plus a total row (grp NULL): problems per status, open (not 办结), overdue, closed,
-- closed after the deadline, and the longest and median days open of the open ones.
WITH r AS (
    SELECT CASE WHEN $group_by = 'dept' THEN coalesce(dept, $unknown) ELSE unit_name END AS grp,
           CASE WHEN $group_by = 'dept' THEN NULL ELSE unit_code END AS grp_code,
           *
    FROM problem_rows
)
SELECT grp, any_value(grp_code) AS unit_code,
       count(*) AS problems_total,
       count(*) FILTER (WHERE problem_status = 'collected') AS collected,
       count(*) FILTER (WHERE problem_status = 'assigned') AS assigned,
       count(*) FILTER (WHERE problem_status = 'consulted') AS consulted,
       count(*) FILTER (WHERE problem_status <> 'closed') AS open,
       count(*) FILTER (WHERE overdue) AS overdue,
       count(*) FILTER (WHERE problem_status = 'closed') AS closed,
       count(*) FILTER (WHERE closed_late) AS closed_late,
       max(days_open) FILTER (WHERE problem_status <> 'closed') AS max_days_open,
       median(days_open) FILTER (WHERE problem_status <> 'closed') AS median_days_open
FROM r
GROUP BY GROUPING SETS ((grp), ())
ORDER BY grp IS NULL, open DESC, overdue DESC, grp;
