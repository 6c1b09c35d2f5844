-- One row per project of the 新增长点培育库 at $month (docs/domain.md §7.4): in-library projects
-- of the slice that passed completion (completed_on <= as-of), with their trailing-12-month
-- operations ($month_from..$month), months since production (days / 30.4375; empty if not yet
-- producing), whether the enterprise is 规上 (above_scale_on <= as-of) and whether it should be
-- but is not: an industry project producing for at least $after_months months
-- (production_on + N months <= as-of) whose trailing-12-month 开票销售 >= $sales_min.
WITH p AS (
    SELECT * FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library AND completed_on <= as_of
)
SELECT p.project_id, p.name, p.enterprise, p.unit_code, p.unit_name, p.category, p.stage,
       p.total_investment_wan, p.completed_on, p.production_on,
       CASE WHEN p.production_on <= p.as_of THEN date_diff('day', p.production_on, p.as_of) / 30.4375 END
           AS months_since_production,
       o.output_12m_wan, o.tax_12m_wan, o.sales_12m_wan, o.electricity_12m_mwh, o.utilization_avg,
       coalesce(o.ops_months, 0) AS ops_months,
       p.above_scale_on,
       coalesce(p.above_scale_on <= p.as_of, false) AS is_above_scale,
       (p.category = 'industry' AND NOT coalesce(p.above_scale_on <= p.as_of, false)
        AND p.production_on + to_months($after_months) <= p.as_of
        AND coalesce(o.sales_12m_wan, 0) >= $sales_min) AS should_be_above_scale,
       p.major_level, p.owner
FROM p LEFT JOIN ops12($month, $month_from) AS o USING (project_id)
ORDER BY should_be_above_scale DESC, o.output_12m_wan DESC NULLS LAST, p.project_id;
