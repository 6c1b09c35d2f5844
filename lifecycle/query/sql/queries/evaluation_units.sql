-- One row per unit of the rows in eval_rows (the rows of evaluation_projects.sql) and a total
-- row (unit_code NULL): the stage evaluations' aggregates (docs/domain.md §14). Shares count
-- an unreported 是/否 as 否; ratios are ratios of sums over the projects where the denominator
-- is present and positive.
SELECT unit_code, any_value(unit_name) AS unit_name,
       -- 审批
       count(*) FILTER (WHERE in_approve) AS filed_n,
       count(*) FILTER (WHERE in_approve AND in_build) AS started_n,
       median(eval_approval_months) FILTER (WHERE in_approve AND in_build) AS approval_months_median,
       (count(*) FILTER (WHERE in_approve AND tolerance_prereview))::DOUBLE
           / nullif(count(*) FILTER (WHERE in_approve), 0) AS tolerance_share,
       (count(*) FILTER (WHERE in_approve AND parallel_approval))::DOUBLE
           / nullif(count(*) FILTER (WHERE in_approve), 0) AS parallel_share,
       (count(*) FILTER (WHERE in_approve AND agency_service))::DOUBLE
           / nullif(count(*) FILTER (WHERE in_approve), 0) AS agency_share,
       -- 建设
       count(*) FILTER (WHERE started_in_year) AS started_year_n,
       coalesce(sum(building_area_m2) FILTER (WHERE started_in_year), 0) AS building_area_year_m2,
       sum(coalesce(year_done_wan, 0)) FILTER (WHERE in_build AND year_plan_wan > 0)
           / nullif(sum(year_plan_wan) FILTER (WHERE in_build AND year_plan_wan > 0), 0) AS year_ratio,
       -- 竣工投产
       count(*) FILTER (WHERE in_produce) AS completed_n,
       sum(total_investment_wan) FILTER (WHERE in_produce AND land_area_mu > 0)
           / nullif(sum(land_area_mu) FILTER (WHERE in_produce AND land_area_mu > 0), 0) AS intensity,
       sum(equipment_done_wan) FILTER (WHERE in_produce AND cumulative_done_wan > 0)
           / nullif(sum(cumulative_done_wan) FILTER (WHERE in_produce AND cumulative_done_wan > 0), 0) AS equipment_share,
       coalesce(sum(rd_deduction_wan) FILTER (WHERE in_produce), 0) AS rd_deduction_total_wan,
       sum(coalesce(output_12m_wan, 0)) FILTER (WHERE in_produce AND designed_output_wan > 0)
           / nullif(sum(designed_output_wan) FILTER (WHERE in_produce AND designed_output_wan > 0), 0)
           AS capacity_realisation,
       count(*) FILTER (WHERE in_produce AND new_above_scale) AS new_above_scale_n,
       sum(tax_12m_wan) FILTER (WHERE in_produce AND sales_12m_wan > 0)
           / nullif(sum(sales_12m_wan) FILTER (WHERE in_produce AND sales_12m_wan > 0), 0) AS tax_contribution,
       coalesce(sum(employees_latest) FILTER (WHERE in_produce), 0) AS employees_total,
       sum(employees_latest) FILTER (WHERE in_produce AND employees_latest IS NOT NULL AND total_investment_wan > 0)
           / nullif(sum(total_investment_wan / 10000.0)
                    FILTER (WHERE in_produce AND employees_latest IS NOT NULL AND total_investment_wan > 0), 0)
           AS employees_per_yi
FROM eval_rows
GROUP BY GROUPING SETS ((unit_code), ())
ORDER BY unit_code NULLS LAST;
