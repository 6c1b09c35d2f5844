-- One row per operating month $month_from..$month (as reported in snapshot $month) of the
-- 新增长点培育库 projects of the slice (or of one project, $project_id): output, tax,
-- electricity and invoiced sales summed, mean capacity utilisation, projects reporting.
WITH p AS (
    SELECT project_id FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library AND completed_on <= as_of AND ($project_id IS NULL OR project_id = $project_id)
)
SELECT strftime(o.month, '%Y-%m') AS event_month,
       sum(o.output_value_wan) AS output_value_wan, sum(o.tax_wan) AS tax_wan,
       sum(o.electricity_mwh) AS electricity_mwh, sum(o.invoiced_sales_wan) AS invoiced_sales_wan,
       avg(o.capacity_utilization) AS capacity_utilization, count(DISTINCT o.project_id) AS count
FROM stg_operations AS o JOIN p USING (project_id)
WHERE o.snapshot_month = $month AND strftime(o.month, '%Y-%m') BETWEEN $month_from AND $month
GROUP BY ALL
ORDER BY event_month;
