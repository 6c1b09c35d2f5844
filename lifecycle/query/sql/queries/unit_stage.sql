-- One row per drill-down unit × current stage: in-library projects of the slice at $month.
SELECT unit_code, unit_name, stage, count(*) AS count,
       sum(total_investment_wan) AS investment_wan
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE in_library
GROUP BY ALL
ORDER BY unit_code, stage;
