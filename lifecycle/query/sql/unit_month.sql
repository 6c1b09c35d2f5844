-- One row per drill-down unit × snapshot month between $month_from and $month: projects in
-- the library, projects started / completed in that month, and this year's investment done.
SELECT
    unit_code, unit_name, snapshot_month,
    count_if(in_library) AS in_library,
    count_if(strftime(started_on, '%Y-%m') = snapshot_month) AS started_in_month,
    count_if(strftime(completed_on, '%Y-%m') = snapshot_month) AS completed_in_month,
    sum(year_done_wan) AS year_done_wan
FROM sliced_months($month_from, $month, $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY ALL
ORDER BY unit_code, snapshot_month;
