-- One row per cumulative class (≥1亿 … ≥100亿) of the in-library projects of the slice at
-- $month: count and investment (as reports say "10亿元以上项目N个").
WITH classes(tier_class, min_wan, ord) AS (
    VALUES ('ge1', 10000, 1), ('ge10', 100000, 2), ('ge30', 300000, 3),
           ('ge50', 500000, 4), ('ge100', 1000000, 5)
),
p AS (
    SELECT * FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors) WHERE in_library
)
SELECT c.tier_class, count(p.project_id) AS count,
       coalesce(sum(p.total_investment_wan), 0) AS total_investment_wan,
       coalesce(sum(p.cumulative_done_wan), 0) AS cumulative_done_wan,
       coalesce(sum(p.year_done_wan), 0) AS year_done_wan,
       count_if(p.origin = 'new') AS new_count,
       count_if(p.origin = 'upgrade') AS upgrade_count
FROM classes AS c
LEFT JOIN p ON p.total_investment_wan >= c.min_wan
GROUP BY c.tier_class, c.ord
ORDER BY c.ord;
