-- One row per project × dated verifiable milestone (注册/落户/备案/开工/竣工) of the slice in
-- snapshot $month (docs/domain.md §17): the milestone date, its verification status for that
-- date (待核实 when never verified, or verified for another date), who set it, when, the note
-- and age_days = days from the milestone date to $ref_date. `verifications` is registered by Metrics.
SELECT project_id, name, unit_code, unit_name, in_library, milestone, milestone_date, verify_status,
       verified_by, verified_at, verify_note, age_days
FROM milestone_rows($month, $ref_date, $units, $tiers, $sections, $origins, $categories, $majors)
ORDER BY unit_code, project_id, milestone_ord;
