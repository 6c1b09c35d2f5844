-- One row per in-library project of the slice at $month with the figures of the stage
-- evaluations (阶段性评估, docs/domain.md §14) and the stages it is evaluated in:
-- in_approve (filed by A): approval months = (started_on, or A when not started) − filed_on in
--   days / 30.4375, 容缺预审 / 并联审批 / 代办服务;
-- in_build (started by A): started in year(A), 报建面积, year ratio = year_done / year_plan (plan > 0);
-- in_produce (completed by A): intensity, equipment share, 研发加计扣除, capacity realisation and
--   tax contribution (trailing 12 months $month_from..$month: Σ tax / Σ invoiced sales), new
--   above-scale enterprise (above_scale_on in year(A)), employees of the latest operating month
--   in the window and employees per 亿元 of total investment.
WITH p AS (
    SELECT * FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors) WHERE in_library
),
ops AS (
    SELECT project_id, sum(output_value_wan) AS output_12m_wan, sum(tax_wan) AS tax_12m_wan,
           sum(invoiced_sales_wan) AS sales_12m_wan,
           arg_max(employees, month) FILTER (WHERE employees IS NOT NULL) AS employees_latest
    FROM stg_operations
    WHERE snapshot_month = $month
      AND strftime(month, '%Y-%m') BETWEEN $month_from AND $month
    GROUP BY project_id
)
SELECT p.project_id, p.name, p.unit_code, p.unit_name, p.stage, p.category,
       coalesce(p.filed_on <= p.as_of, false) AS in_approve,
       coalesce(p.started_on <= p.as_of, false) AS in_build,
       coalesce(p.completed_on <= p.as_of, false) AS in_produce,
       p.filed_on, p.started_on, p.completed_on,
       CASE WHEN p.filed_on <= p.as_of THEN
           date_diff('day', p.filed_on, CASE WHEN p.started_on <= p.as_of THEN p.started_on ELSE p.as_of END) / 30.4375
       END AS eval_approval_months,
       p.tolerance_prereview, p.parallel_approval, p.agency_service,
       coalesce(year(p.started_on) = year(p.as_of) AND p.started_on <= p.as_of, false) AS started_in_year,
       p.building_area_m2,
       p.year_plan_wan, p.year_done_wan,
       CASE WHEN p.year_plan_wan > 0 THEN coalesce(p.year_done_wan, 0) / p.year_plan_wan END AS year_ratio,
       p.total_investment_wan, p.land_area_mu, p.equipment_done_wan, p.cumulative_done_wan, p.designed_output_wan,
       p.total_investment_wan / nullif(p.land_area_mu, 0) AS intensity,
       p.equipment_done_wan / nullif(p.cumulative_done_wan, 0) AS equipment_share,
       p.rd_deduction_wan,
       ops.output_12m_wan, ops.tax_12m_wan, ops.sales_12m_wan,
       coalesce(ops.output_12m_wan, 0) / nullif(p.designed_output_wan, 0) AS capacity_realisation,
       ops.tax_12m_wan / nullif(ops.sales_12m_wan, 0) AS tax_contribution,
       coalesce(year(p.above_scale_on) = year(p.as_of) AND p.above_scale_on <= p.as_of, false) AS new_above_scale,
       ops.employees_latest,
       ops.employees_latest / nullif(p.total_investment_wan / 10000.0, 0) AS employees_per_yi
FROM p
LEFT JOIN ops USING (project_id)
ORDER BY p.unit_code, p.project_id;
