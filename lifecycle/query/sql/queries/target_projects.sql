-- One row per project × yearly count it enters in year($month), year to date (拿地即开工,
-- 联合竣工验收, 新入规; docs/domain.md §7.3), optionally one count ($target_key).
SELECT target_key, project_id, name, enterprise, unit_code, unit_name, event_on, total_investment_wan,
       land_acquired_on, started_on, days_land_to_start, completed_on, joint_acceptance, above_scale_on,
       stage, in_library
FROM target_rows($month, $year_start, $land_days, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE $target_key IS NULL OR target_key = $target_key
ORDER BY target_ord, event_on, project_id;
