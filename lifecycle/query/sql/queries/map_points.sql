-- One row per in-library project of the slice at $month that is among the $per_unit largest
-- (by total investment, then project_id) of its unit: the project points the township map draws.
SELECT project_id, name, unit_code, total_investment_wan, stage
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE in_library
QUALIFY row_number() OVER (PARTITION BY unit_code
                           ORDER BY total_investment_wan DESC NULLS LAST, project_id) <= $per_unit
ORDER BY unit_code, total_investment_wan DESC NULLS LAST, project_id;
