-- One row per unit of the region (restricted to $units) × resource ('land', 'emission',
-- 'energy') at $month, year $year (docs/domain.md §13): the unit's quota for the year from
-- quota_rows (the quotas table of the $month snapshot; land = 批而未供 + 供而未用 + 收购储备,
-- NULL when the unit has no row), this year's allocation (Σ *_allocated over the slice's projects
-- of the unit in the snapshot, empty = 0), remaining = quota − allocated, the in-library
-- projects still needing the resource (demand > 0) and their demand, and the shortfall =
-- max(0, waiting demand − max(remaining, 0)).
WITH q AS (
    SELECT unit_code,
           CASE WHEN land_unsupplied_mu IS NULL AND land_unused_mu IS NULL AND land_reserve_mu IS NULL THEN NULL
                ELSE coalesce(land_unsupplied_mu, 0) + coalesce(land_unused_mu, 0) + coalesce(land_reserve_mu, 0)
           END AS land,
           emission_t AS emission, energy_tce AS energy
    FROM quota_rows
    WHERE year = $year
),
p AS (
    SELECT unit_code,
           sum(coalesce(land_allocated_mu, 0)) AS land_alloc,
           sum(coalesce(emission_allocated_t, 0)) AS emission_alloc,
           sum(coalesce(energy_allocated_tce, 0)) AS energy_alloc,
           count(*) FILTER (WHERE in_library AND land_demand_mu > 0) AS land_wait_n,
           count(*) FILTER (WHERE in_library AND emission_demand_t > 0) AS emission_wait_n,
           count(*) FILTER (WHERE in_library AND energy_demand_tce > 0) AS energy_wait_n,
           coalesce(sum(land_demand_mu) FILTER (WHERE in_library AND land_demand_mu > 0), 0) AS land_wait,
           coalesce(sum(emission_demand_t) FILTER (WHERE in_library AND emission_demand_t > 0), 0) AS emission_wait,
           coalesce(sum(energy_demand_tce) FILTER (WHERE in_library AND energy_demand_tce > 0), 0) AS energy_wait
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    GROUP BY unit_code
),
u AS (
    SELECT * FROM slice_units($units)
),
r AS (
    SELECT u.unit_code, u.unit_name, res.resource, res.ord,
           CASE res.resource WHEN 'land' THEN q.land WHEN 'emission' THEN q.emission ELSE q.energy END AS quota,
           coalesce(CASE res.resource WHEN 'land' THEN p.land_alloc WHEN 'emission' THEN p.emission_alloc
                    ELSE p.energy_alloc END, 0) AS allocated,
           coalesce(CASE res.resource WHEN 'land' THEN p.land_wait_n WHEN 'emission' THEN p.emission_wait_n
                    ELSE p.energy_wait_n END, 0) AS waiting_projects,
           coalesce(CASE res.resource WHEN 'land' THEN p.land_wait WHEN 'emission' THEN p.emission_wait
                    ELSE p.energy_wait END, 0) AS waiting_demand,
           q.unit_code IS NOT NULL AS has_quota
    FROM u
    CROSS JOIN (VALUES ('land', 1), ('emission', 2), ('energy', 3)) AS res(resource, ord)
    LEFT JOIN q USING (unit_code)
    LEFT JOIN p USING (unit_code)
)
SELECT unit_code, unit_name, resource, quota, allocated, quota - allocated AS remaining,
       waiting_projects, waiting_demand,
       CASE WHEN quota IS NULL THEN NULL
            ELSE greatest(waiting_demand - greatest(quota - allocated, 0), 0) END AS shortfall,
       has_quota
FROM r
ORDER BY ord, unit_code;
