-- Verified milestones 节点核实 (docs/domain.md §17). The store's current verifications
-- (store/verification.py `current`: one row per project × milestone × milestone date, its latest
-- event: status, who, when, note) reach a query as the view `verifications`, registered for that
-- statement by Metrics; the macros below read it and are only called with it registered.

-- Table macro: one row per project of the library at month m — month_rate_inputs(m, baseline_m,
-- period_from) with the filing, start and production numerators counting only milestones
-- 已核实 for the date they carry in m (filed_on, started_on, completed_on: a verification binds
-- to the date it verified). Cohorts (the *_den columns) are unchanged (docs/domain.md §17.4).
CREATE OR REPLACE MACRO verified_rate_inputs(m, baseline_m, period_from) AS TABLE
WITH ver AS (
    SELECT project_id, milestone, milestone_date FROM verifications WHERE status = 'verified'
)
SELECT r.* REPLACE (
    r.filing_num AND vf.project_id IS NOT NULL     AS filing_num,
    r.start_num AND vs.project_id IS NOT NULL      AS start_num,
    r.production_num AND vc.project_id IS NOT NULL AS production_num)
FROM month_rate_inputs(m, baseline_m, period_from) AS r
LEFT JOIN ver AS vf ON vf.project_id = r.project_id AND vf.milestone = 'filing' AND vf.milestone_date = r.filed_on
LEFT JOIN ver AS vs ON vs.project_id = r.project_id AND vs.milestone = 'start' AND vs.milestone_date = r.started_on
LEFT JOIN ver AS vc ON vc.project_id = r.project_id AND vc.milestone = 'completion' AND vc.milestone_date = r.completed_on;

-- Table macro: one row per project × dated verifiable milestone of the slice in snapshot m
-- (注册 = signed_on, 落户 = land_acquired_on, 备案 = filed_on, 开工 = started_on, 竣工 =
-- completed_on), with the latest event for that date: status (待核实 when none), who, when,
-- note, and age_days = days from the milestone date to ref_date.
CREATE OR REPLACE MACRO milestone_rows(m, ref_date, units, tiers, sections, origins, categories, majors) AS TABLE
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
LEFT JOIN verifications AS v
  ON v.project_id = ms.project_id AND v.milestone = ms.milestone AND v.milestone_date = ms.milestone_date
WHERE ms.milestone_date IS NOT NULL;
