-- One row per drill-down unit × snapshot month between $month_from and $month: projects in
-- the library, projects started / completed in that month, and this year's investment done
-- (the slice's cells of the per-month cube unit_month_rows, added up).
SELECT
    unit_code, unit_name, snapshot_month,
    CAST(sum(in_library) AS BIGINT) AS in_library,
    CAST(sum(started_in_month) AS BIGINT) AS started_in_month,
    CAST(sum(completed_in_month) AS BIGINT) AS completed_in_month,
    sum(year_done_wan) AS year_done_wan
FROM unit_month_cube($month_from, $month)
WHERE ($units IS NULL OR list_contains($units, unit_code))
  AND ($tiers IS NULL OR list_contains($tiers, tier_band))
  AND ($sections IS NULL OR list_contains($sections, industry_section))
  AND ($origins IS NULL OR list_contains($origins, origin))
  AND ($categories IS NULL OR list_contains($categories, category))
  AND ($majors IS NULL OR list_contains($majors, coalesce(major_level, 'none')))
GROUP BY ALL
ORDER BY unit_code, snapshot_month;
