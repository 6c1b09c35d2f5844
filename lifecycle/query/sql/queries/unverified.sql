-- One row per project × dated milestone of the slice in snapshot $month that is 待核实 or 存疑
-- for the date it carries and whose date is more than $older_than days before $ref_date
-- (超期未核实, docs/domain.md §17.3), oldest first.
SELECT project_id, name, unit_code, unit_name, milestone, milestone_date, verify_status,
       verified_by, verified_at, verify_note, age_days
FROM milestone_rows($month, $ref_date, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE verify_status <> 'verified' AND age_days > $older_than
ORDER BY age_days DESC, project_id, milestone_ord;
