-- One row per operating month (up to $month) of project $project_id in the $month snapshot:
-- output, tax and the other monthly measures, with trailing-12-month output/tax (that month and
-- the 11 before it) and capacity realisation = trailing-12-month output / designed annual output.
WITH o AS (
    SELECT o.*
    FROM stg_operations AS o
    WHERE o.snapshot_month = $month AND o.project_id = $project_id
      AND strftime(o.month, '%Y-%m') <= $month
),
d AS (
    SELECT designed_output_wan FROM month_projects($month) WHERE project_id = $project_id
)
SELECT strftime(o.month, '%Y-%m') AS month, o.orders_wan, o.capacity_utilization, o.invoiced_sales_wan,
       o.output_value_wan, o.tax_wan, o.profit_wan, o.electricity_mwh, o.employees,
       sum(o.output_value_wan) OVER w AS output_12m_wan,
       sum(o.tax_wan) OVER w AS tax_12m_wan,
       sum(o.output_value_wan) OVER w / nullif(d.designed_output_wan, 0) AS capacity_realisation
FROM o CROSS JOIN d
WINDOW w AS (ORDER BY o.month RANGE BETWEEN INTERVAL 11 MONTH PRECEDING AND CURRENT ROW)
ORDER BY o.month;
