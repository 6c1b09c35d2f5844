-- Table macros for the quarterly review (季度点评) and the monthly bulletin (月通报).
--
-- quarter_rows(m, plan_m, q_start, q_end, <slice>): one row per project of the slice at snapshot
-- month m (the quarter's as-of month) that started or completed in the quarter (on a date in
-- [q_start, q_end] and on or before the as-of date), or that was planned to start or complete in
-- it. "Planned in the quarter" uses the quarter plan: the planned date as it stood in snapshot
-- plan_m (the last snapshot before the quarter; a project first reported later takes its first
-- reported plan up to m), so slipping a date during the quarter does not take a project off the
-- list. Plan against actual (start_status / complete_status):
--   on_time   reached on or before the quarter-plan date (ahead of plan included)
--   late      reached, after the quarter-plan date
--   overdue   not reached by the as-of date and the quarter-plan date is on or before it
--   pending   not reached, the quarter-plan date is still ahead of the as-of date
--   unplanned reached with no planned date
-- The baseline (first planned date the project ever had, up to m) is shown next to both.
-- The quarter plan is read from the staging view: the caller narrows it to the months plan_m..m.
-- plan_status(actual, planned, as_of) below gives that status for one milestone.
CREATE OR REPLACE MACRO plan_status(actual_on, planned_on, as_of) AS
    CASE
        WHEN actual_on IS NOT NULL AND planned_on IS NULL THEN 'unplanned'
        WHEN actual_on IS NOT NULL AND actual_on <= planned_on THEN 'on_time'
        WHEN actual_on IS NOT NULL THEN 'late'
        WHEN planned_on <= as_of THEN 'overdue'
        WHEN planned_on IS NOT NULL THEN 'pending'
    END;

CREATE OR REPLACE MACRO quarter_rows(m, plan_m, q_start, q_end, units, tiers, sections, origins, categories, majors) AS TABLE
WITH p AS (
    SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors)
),
qplan AS (
    SELECT project_id, planned_started_on AS q_planned_started_on,
           planned_completed_on AS q_planned_completed_on
    FROM stg_projects
    WHERE snapshot_month BETWEEN plan_m AND m
    QUALIFY row_number() OVER (PARTITION BY project_id ORDER BY snapshot_month) = 1
),
baseline AS (
    SELECT project_id, baseline_started_on, baseline_completed_on FROM plan_baselines(m)
),
r AS (
    SELECT
        p.*,
        qplan.q_planned_started_on, qplan.q_planned_completed_on,
        baseline.baseline_started_on, baseline.baseline_completed_on,
        CASE WHEN p.started_on <= p.as_of THEN p.started_on END     AS actual_started_on,
        CASE WHEN p.completed_on <= p.as_of THEN p.completed_on END AS actual_completed_on
    FROM p
    LEFT JOIN qplan USING (project_id)
    LEFT JOIN baseline USING (project_id)
),
f AS (
    SELECT
        r.*,
        coalesce(actual_started_on BETWEEN CAST(q_start AS DATE) AND CAST(q_end AS DATE), FALSE)   AS started_in_q,
        coalesce(actual_completed_on BETWEEN CAST(q_start AS DATE) AND CAST(q_end AS DATE), FALSE) AS completed_in_q,
        coalesce(q_planned_started_on BETWEEN CAST(q_start AS DATE) AND CAST(q_end AS DATE), FALSE)   AS planned_start_in_q,
        coalesce(q_planned_completed_on BETWEEN CAST(q_start AS DATE) AND CAST(q_end AS DATE), FALSE) AS planned_complete_in_q
    FROM r
)
SELECT
    f.*,
    plan_status(actual_started_on, q_planned_started_on, as_of)     AS start_status,
    plan_status(actual_completed_on, q_planned_completed_on, as_of) AS complete_status,
    date_diff('day', q_planned_started_on, actual_started_on)     AS start_delay_days,
    date_diff('day', q_planned_completed_on, actual_completed_on) AS complete_delay_days
FROM f
WHERE started_in_q OR completed_in_q OR planned_start_in_q OR planned_complete_in_q;

-- month_event_rows(m, d_from, <slice>): one row per project of the slice at snapshot month m ×
-- milestone event dated from d_from to the as-of date (last day of m), both included:
-- 'signed' (formal signing), 'intent' (intent signing), 'filed', 'started', 'completed'.
-- The bulletin calls it with d_from = first day of m (this month) and 1 January (year to date).
CREATE OR REPLACE MACRO month_event_rows(m, d_from, units, tiers, sections, origins, categories, majors) AS TABLE
WITH p AS (
    SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors)
),
ev AS (
    SELECT p.*, 'signed' AS event, signed_on AS event_on FROM p WHERE signing_type = 'formal'
    UNION ALL BY NAME
    SELECT p.*, 'intent' AS event, signed_on AS event_on FROM p WHERE signing_type = 'intent'
    UNION ALL BY NAME
    SELECT p.*, 'filed' AS event, filed_on AS event_on FROM p
    UNION ALL BY NAME
    SELECT p.*, 'started' AS event, started_on AS event_on FROM p
    UNION ALL BY NAME
    SELECT p.*, 'completed' AS event, completed_on AS event_on FROM p
)
SELECT * FROM ev
WHERE event_on BETWEEN CAST(d_from AS DATE) AND as_of;
