-- One row per problem (矛盾问题) of the slice's projects in the $month snapshot, at reference
-- date $ref_date (docs/domain.md §11): the imported problems of the $month snapshot merged by
-- problem_id with the problems recorded in the store (rec_problems, raised by $ref_date) and
-- the recorded updates dated up to $ref_date (rec_updates). The status is the further along of
-- the ledger's (办结 when resolved_on <= $ref_date, 交办 when a department is given, else 采集)
-- and the latest recorded update's; department and deadline take the latest recorded value,
-- then the ledger's; a problem without any deadline is due $deadline_days days after it was
-- raised. Overdue: not closed and deadline < $ref_date (the deadline day itself is not overdue).
WITH p AS (
    SELECT project_id, name, unit_code, unit_name, township_name, owner, in_library
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
),
imp AS (
    SELECT problem_id, project_id, raised_on, kind, summary, assigned_dept, resolved_on, deadline_on
    FROM stg_problems
    WHERE snapshot_month = $month
),
rec AS (
    SELECT problem_id, project_id, raised_on, kind, summary
    FROM rec_problems
    WHERE raised_on <= $ref_date
),
base AS (
    SELECT coalesce(i.problem_id, r.problem_id) AS problem_id,
           coalesce(i.project_id, r.project_id) AS project_id,
           coalesce(i.raised_on, r.raised_on) AS raised_on,
           coalesce(i.kind, r.kind) AS kind,
           coalesce(i.summary, r.summary) AS summary,
           i.assigned_dept, i.resolved_on AS ledger_resolved_on, i.deadline_on AS ledger_deadline_on,
           i.problem_id IS NOT NULL AS imported,
           r.problem_id IS NOT NULL AS registered,
           CASE WHEN i.problem_id IS NULL THEN NULL
                WHEN i.resolved_on <= $ref_date THEN 'closed'
                WHEN i.assigned_dept IS NOT NULL THEN 'assigned'
                ELSE 'collected' END AS ledger_status
    FROM imp AS i
    FULL OUTER JOIN rec AS r ON r.problem_id = i.problem_id
),
upd AS (
    SELECT *
    FROM rec_updates
    WHERE acted_on <= $ref_date
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY problem_id ORDER BY acted_on DESC, update_id DESC) AS rn
    FROM upd
),
last_open AS (  -- the latest update that left the problem open (a re-opening included)
    SELECT problem_id, max(acted_on) AS open_on
    FROM upd
    WHERE status <> 'closed'
    GROUP BY problem_id
),
agg AS (
    SELECT u.problem_id,
           count(*) AS n_updates,
           (list(u.dept ORDER BY u.acted_on DESC, u.update_id DESC) FILTER (WHERE u.dept IS NOT NULL))[1] AS rec_dept,
           (list(u.deadline_on ORDER BY u.acted_on DESC, u.update_id DESC)
                FILTER (WHERE u.deadline_on IS NOT NULL))[1] AS rec_deadline_on,
           (list(u.note ORDER BY u.acted_on DESC, u.update_id DESC) FILTER (WHERE u.note IS NOT NULL))[1] AS last_note,
           min(u.acted_on) FILTER (WHERE u.status = 'closed' AND u.acted_on >= coalesce(o.open_on, DATE '1900-01-01'))
               AS rec_closed_on
    FROM upd AS u
    LEFT JOIN last_open AS o USING (problem_id)
    GROUP BY u.problem_id
),
merged AS (
    SELECT b.*,
           l.status AS rec_status, l.recorded_by AS last_by, l.acted_on AS last_on,
           g.n_updates, g.rec_dept, g.rec_deadline_on, g.last_note, g.rec_closed_on,
           ['collected', 'assigned', 'consulted', 'closed'] AS flow
    FROM base AS b
    LEFT JOIN ranked AS l ON l.problem_id = b.problem_id AND l.rn = 1
    LEFT JOIN agg AS g ON g.problem_id = b.problem_id
),
st AS (
    SELECT *,
           flow[greatest(list_position(flow, ledger_status), list_position(flow, rec_status))] AS problem_status,
           coalesce(rec_dept, assigned_dept) AS dept,
           coalesce(rec_deadline_on, ledger_deadline_on,
                    CAST(raised_on + to_days(CAST($deadline_days AS INTEGER)) AS DATE)) AS deadline_on
    FROM merged
),
fin AS (
    SELECT *,
           CASE WHEN problem_status = 'closed'
                THEN least(CASE WHEN ledger_resolved_on <= $ref_date THEN ledger_resolved_on END,
                           CASE WHEN rec_status = 'closed' THEN rec_closed_on END) END AS resolved_on
    FROM st
)
SELECT f.problem_id, f.project_id, p.name, p.unit_code, p.unit_name, p.township_name,
       f.kind, f.summary, f.dept, f.raised_on, f.deadline_on, f.problem_status, f.resolved_on,
       CASE WHEN f.problem_status = 'closed' THEN date_diff('day', f.raised_on, f.resolved_on)
            ELSE date_diff('day', f.raised_on, $ref_date) END AS days_open,
       coalesce(f.problem_status <> 'closed' AND f.deadline_on < $ref_date, false) AS overdue,
       CASE WHEN f.problem_status <> 'closed' AND f.deadline_on < $ref_date
            THEN date_diff('day', f.deadline_on, $ref_date) END AS days_overdue_problem,
       coalesce(f.problem_status = 'closed' AND f.resolved_on > f.deadline_on, false) AS closed_late,
       CASE WHEN f.registered AND NOT f.imported THEN 'recorded'
            WHEN coalesce(f.n_updates, 0) > 0 THEN 'both'
            ELSE 'imported' END AS source,
       f.last_note, f.last_by, f.last_on, coalesce(f.n_updates, 0) AS n_updates,
       p.owner, p.in_library
FROM fin AS f
JOIN p USING (project_id)
ORDER BY f.problem_status = 'closed', overdue DESC, f.deadline_on NULLS LAST, f.problem_id;
