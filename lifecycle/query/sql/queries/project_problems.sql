-- One row per problem (矛盾问题) of project $project_id in the $month snapshot: its state as of the
-- month end ('resolved' when resolved_on <= as-of date, else 'open') and how long it has been open.
WITH a AS (SELECT last_day(strptime($month || '-01', '%Y-%m-%d')::DATE) AS as_of)
SELECT q.problem_id, q.raised_on, q.kind, q.summary, q.assigned_dept, q.resolved_on,
       CASE WHEN q.resolved_on <= a.as_of THEN 'resolved' ELSE 'open' END AS problem_state,
       CASE WHEN q.resolved_on <= a.as_of THEN date_diff('day', q.raised_on, q.resolved_on)
            ELSE date_diff('day', q.raised_on, a.as_of) END AS days_taken
FROM stg_problems AS q CROSS JOIN a
WHERE q.snapshot_month = $month AND q.project_id = $project_id
ORDER BY (q.resolved_on <= a.as_of) NULLS FIRST, q.raised_on, q.problem_id;
