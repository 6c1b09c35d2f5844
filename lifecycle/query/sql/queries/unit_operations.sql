-- One row per drill-down unit: trailing-12-month output and tax (month_ops: $month and the 11
-- months before it, as reported in snapshot $month) and the land of the projects reporting them,
-- for 亩均税收 / 亩均产出.
WITH p AS (
    SELECT project_id, unit_code, land_area_mu
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
),
ops AS (
    SELECT project_id, output_12m_wan, tax_12m_wan FROM month_ops($month)
)
SELECT p.unit_code,
       sum(ops.output_12m_wan) AS output_12m_wan,
       sum(ops.tax_12m_wan) AS tax_12m_wan,
       sum(p.land_area_mu) FILTER (WHERE p.land_area_mu > 0) AS land_mu
FROM p JOIN ops USING (project_id)
GROUP BY p.unit_code;
