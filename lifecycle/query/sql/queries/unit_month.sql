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
WHERE in_slice(unit_code, tier_band, industry_section, origin, category, major_level,
               $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY ALL
ORDER BY unit_code, snapshot_month;
