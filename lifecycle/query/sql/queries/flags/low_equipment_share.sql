-- One row per in-library industrial project of the slice at $month that has started, whose
-- equipment investment completed / investment completed is below $equipment_min.
-- Projects with no investment completed yet have no share and are not listed. A share of exactly
-- $equipment_min is not listed (compared after rounding to 9 decimals, against float noise).
SELECT project_id, name, enterprise, unit_code, unit_name, started_on,
       cumulative_done_wan, equipment_done_wan,
       coalesce(equipment_done_wan, 0) / cumulative_done_wan AS equipment_share,
       owner, lead_dept, total_investment_wan
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE in_library AND category = 'industry'
  AND started_on <= as_of
  AND cumulative_done_wan > 0
  AND round(coalesce(equipment_done_wan, 0) / cumulative_done_wan, 9) < $equipment_min
ORDER BY equipment_share, project_id;
