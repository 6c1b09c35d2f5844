-- One row per current stage (plus 'exited'): projects of the slice at $month whose last
-- milestone is that stage; exited projects are counted apart.
SELECT
    CASE WHEN in_library THEN stage ELSE 'exited' END AS stage,
    count(*) AS count,
    sum(total_investment_wan) AS investment_wan
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY ALL;
