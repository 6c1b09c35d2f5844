-- One row: project $project_id as of $month (any state, exited included) with its derived
-- state and supporting measures: investment intensity, equipment share, and the trailing-12-month
-- (month_ops: $month and the 11 months before it) output/tax with capacity realisation (same window as the
-- capacity_not_reached flag; no reported output counts as 0 once producing).
WITH p AS (
    SELECT * FROM month_projects($month) WHERE project_id = $project_id
),
ops AS (
    SELECT project_id, output_12m_wan, tax_12m_wan, operating_months_12m
    FROM month_ops($month) WHERE project_id = $project_id
)
SELECT p.* EXCLUDE (snapshot_month),
       p.snapshot_month,
       CASE WHEN p.in_library THEN p.stage ELSE 'exited' END AS state,
       p.total_investment_wan / nullif(p.land_area_mu, 0) AS intensity,
       p.equipment_done_wan / nullif(p.cumulative_done_wan, 0) AS equipment_share,
       ops.output_12m_wan, ops.tax_12m_wan, ops.operating_months_12m,
       coalesce(ops.output_12m_wan, 0) / nullif(p.designed_output_wan, 0) AS capacity_realisation,
       ops.tax_12m_wan / nullif(p.land_area_mu, 0) AS tax_per_mu,
       ops.output_12m_wan / nullif(p.land_area_mu, 0) AS output_per_mu
FROM p LEFT JOIN ops USING (project_id);
