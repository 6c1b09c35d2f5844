-- Verified milestones 节点核实 (docs/domain.md §17). The store's current verifications
-- (store/verification.py `current`: one row per project × milestone × milestone date, its latest
-- event) reach a query as the view `verifications`, registered for that statement by Metrics.
-- `no_verifications` is its empty stand-in, read by the default (all milestones) path of rates.sql.
-- A table macro's `rel` argument names the relation to read: 'verifications' or 'no_verifications'.
CREATE OR REPLACE VIEW no_verifications AS
SELECT CAST(NULL AS BIGINT) AS event_id, CAST(NULL AS VARCHAR) AS project_id, CAST(NULL AS VARCHAR) AS milestone,
       CAST(NULL AS DATE) AS milestone_date, CAST(NULL AS VARCHAR) AS status, CAST(NULL AS VARCHAR) AS note,
       CAST(NULL AS VARCHAR) AS verified_by, CAST(NULL AS VARCHAR) AS verified_at
WHERE FALSE;

-- Table macro: one row per project of snapshot m with at least one verified milestone in `rel`:
-- whether its filing, start and completion milestones are 已核实 for the date they carry in m
-- (a verification binds to the date it verified: a changed date is not verified). The
-- verified-only rates (rates.sql, docs/domain.md §17.4) AND these into their numerators.
CREATE OR REPLACE MACRO verified_flags(m, rel) AS TABLE
SELECT p.project_id,
       bool_or(v.milestone = 'filing' AND v.milestone_date = p.filed_on)        AS filing_verified,
       bool_or(v.milestone = 'start' AND v.milestone_date = p.started_on)       AS start_verified,
       bool_or(v.milestone = 'completion' AND v.milestone_date = p.completed_on) AS completion_verified
FROM query_table(rel) AS v
JOIN month_projects(m) AS p USING (project_id)
WHERE v.status = 'verified'
GROUP BY p.project_id;

-- Table macro: one row per project × dated verifiable milestone of the slice in snapshot m
-- (注册 = signed_on, 落户 = land_acquired_on, 备案 = filed_on, 开工 = started_on, 竣工 =
-- completed_on), with the latest event in `rel` for that date: status (待核实 when none), who,
-- when, note, and age_days = days from the milestone date to ref_date.
CREATE OR REPLACE MACRO milestone_rows(m, ref_date, rel, units, tiers, sections, origins, categories, majors) AS TABLE
WITH p AS (
    SELECT project_id, name, unit_code, unit_name, in_library,
           signed_on, land_acquired_on, filed_on, started_on, completed_on
    FROM sliced(m, units, tiers, sections, origins, categories, majors)
),
ms AS (
    SELECT project_id, name, unit_code, unit_name, in_library, 'registration' AS milestone, 1 AS milestone_ord,
           signed_on AS milestone_date FROM p
    UNION ALL
    SELECT project_id, name, unit_code, unit_name, in_library, 'settle', 2, land_acquired_on FROM p
    UNION ALL
    SELECT project_id, name, unit_code, unit_name, in_library, 'filing', 3, filed_on FROM p
    UNION ALL
    SELECT project_id, name, unit_code, unit_name, in_library, 'start', 4, started_on FROM p
    UNION ALL
    SELECT project_id, name, unit_code, unit_name, in_library, 'completion', 5, completed_on FROM p
)
SELECT ms.project_id, ms.name, ms.unit_code, ms.unit_name, ms.in_library, ms.milestone, ms.milestone_ord,
       ms.milestone_date,
       coalesce(v.status, 'pending') AS verify_status,
       v.verified_by, v.verified_at, v.note AS verify_note, v.event_id,
       datediff('day', ms.milestone_date, CAST(ref_date AS DATE)) AS age_days
FROM ms
LEFT JOIN query_table(rel) AS v
  ON v.project_id = ms.project_id AND v.milestone = ms.milestone AND v.milestone_date = ms.milestone_date
WHERE ms.milestone_date IS NOT NULL;
