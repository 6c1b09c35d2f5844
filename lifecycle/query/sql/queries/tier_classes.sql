-- One row per cumulative class (≥1亿 … ≥100亿) of the in-library projects of the slice at
-- $month: count and investment (as reports say "10亿元以上项目N个"). The classes are nested:
-- each project is counted once by how many class thresholds it reaches, then added up over the
-- classes it reached.
WITH classes(tier_class, min_wan, ord) AS (
    VALUES ('ge1', 10000, 1), ('ge10', 100000, 2), ('ge30', 300000, 3),
           ('ge50', 500000, 4), ('ge100', 1000000, 5)
),
thresholds AS (
    SELECT list(min_wan ORDER BY ord) AS mins FROM classes
),
p AS (
    SELECT len(list_filter(t.mins, lambda x: s.total_investment_wan >= x)) AS reached,
           count(s.project_id) AS n,
           sum(s.total_investment_wan) AS total_investment_wan,
           sum(s.cumulative_done_wan) AS cumulative_done_wan,
           sum(s.year_done_wan) AS year_done_wan,
           count_if(s.origin = 'new') AS new_count,
           count_if(s.origin = 'upgrade') AS upgrade_count
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors) AS s, thresholds AS t
    WHERE s.in_library
    GROUP BY reached
)
SELECT c.tier_class, CAST(coalesce(sum(p.n), 0) AS BIGINT) AS count,
       coalesce(sum(p.total_investment_wan), 0) AS total_investment_wan,
       coalesce(sum(p.cumulative_done_wan), 0) AS cumulative_done_wan,
       coalesce(sum(p.year_done_wan), 0) AS year_done_wan,
       CAST(coalesce(sum(p.new_count), 0) AS BIGINT) AS new_count,
       CAST(coalesce(sum(p.upgrade_count), 0) AS BIGINT) AS upgrade_count
FROM classes AS c
LEFT JOIN p ON p.reached >= c.ord
GROUP BY c.tier_class, c.ord
ORDER BY c.ord;
