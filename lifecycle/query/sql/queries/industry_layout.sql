-- One row per drill-down unit × industry chain: the in-library projects of the slice at $month
-- (现有产业布局, docs/domain.md §16.6) — their number and total investment in 亿元. A project
-- without an industry chain counts under the chain $unfilled.
SELECT
    unit_code,
    any_value(unit_name) AS unit_name,
    coalesce(nullif(trim(industry_chain), ''), $unfilled) AS industry_chain,
    count(*) AS project_count,
    coalesce(sum(total_investment_wan), 0) / 10000.0 AS investment_yi
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE in_library
GROUP BY unit_code, 3
ORDER BY unit_code, project_count DESC, industry_chain;
