-- One row per grade A, B, C, D (and 'none' for projects without any indicator, when present):
-- the producing projects of the slice at $month in it and their total investment
-- (docs/domain.md §7.5).
WITH g AS (SELECT * FROM (VALUES ('A', 1), ('B', 2), ('C', 3), ('D', 4), ('none', 5)) AS t(grade, ord)),
r AS (
    SELECT coalesce(grade, 'none') AS grade, count(*) AS grade_count, sum(total_investment_wan) AS total_investment_wan
    FROM evaluation_rows($month, $month_from, $units, $tiers, $sections, $origins, $categories, $majors, $b_tax, $b_output, $b_designed, $b_intensity, $w_tax, $w_output, $w_designed, $w_intensity, $grade_a, $grade_b, $grade_c)
    GROUP BY ALL
)
SELECT g.grade, coalesce(r.grade_count, 0) AS grade_count, coalesce(r.total_investment_wan, 0) AS total_investment_wan
FROM g LEFT JOIN r USING (grade)
WHERE g.grade <> 'none' OR r.grade_count > 0
ORDER BY g.ord;
