-- One row per yearly count × drill-down unit with at least one project counted in year($month)
-- to date (docs/domain.md §7.3).
SELECT target_key, unit_code, unit_name, count(*) AS ytd_count
FROM target_rows($month, $year_start, $land_days, $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY target_key, target_ord, unit_code, unit_name
ORDER BY target_ord, ytd_count DESC, unit_code;
