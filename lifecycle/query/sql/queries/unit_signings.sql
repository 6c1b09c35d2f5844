-- One row per drill-down unit of the slice: the projects of snapshot $month (exited included)
-- formally signed from $year_start to the end of $month, for the township targets 招商任务
-- (docs/domain.md §16.3): their number, total investment, and how many are >= 10亿 / >= 50亿.
WITH s AS (
    SELECT unit_code, total_investment_wan
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE signing_type = 'formal'
      AND signed_on >= CAST($year_start AS DATE)
      AND signed_on <= as_of
),
u AS (
    SELECT * FROM slice_units($units)
)
SELECT
    u.unit_code,
    any_value(u.unit_name) AS unit_name,
    count(s.unit_code) AS signed_projects,
    coalesce(sum(s.total_investment_wan), 0) AS signed_investment_wan,
    count(s.unit_code) FILTER (WHERE s.total_investment_wan >= 100000) AS projects_10yi,
    count(s.unit_code) FILTER (WHERE s.total_investment_wan >= 500000) AS projects_50yi
FROM u LEFT JOIN s USING (unit_code)
GROUP BY u.unit_code
ORDER BY u.unit_code;
