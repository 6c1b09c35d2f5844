-- One row per in-library project of the slice at $month still needing a resource quota
-- (land_demand_mu, emission_demand_t or energy_demand_tce > 0; docs/domain.md §13), with its
-- demand and what it was allocated this year.
SELECT project_id, name, unit_code, unit_name, stage, land_demand_mu, emission_demand_t, energy_demand_tce,
       land_allocated_mu, emission_allocated_t, energy_allocated_tce, total_investment_wan, owner
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE in_library
  AND (land_demand_mu > 0 OR emission_demand_t > 0 OR energy_demand_tce > 0)
ORDER BY unit_code, project_id;
