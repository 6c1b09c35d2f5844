-- One row per lifecycle stage: how many projects of the slice at $month have reached it
-- (stage_rank >= the stage's rank). $scope = 'library' counts only projects still in the
-- library; 'all' also counts exited ones (they keep their milestone history).
-- The projects are counted per current stage first, then added up over the stages at or after each.
WITH stages(stage, stage_rank) AS (
    VALUES ('intent', 0), ('signed', 1), ('filed', 2), ('started', 3),
           ('completed', 4), ('producing', 5), ('at_capacity', 6)
),
p AS (
    SELECT stage_rank, count(project_id) AS n, sum(total_investment_wan) AS investment_wan
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE $scope = 'all' OR in_library
    GROUP BY stage_rank
)
SELECT s.stage, s.stage_rank, CAST(coalesce(sum(p.n), 0) AS BIGINT) AS reached,
       coalesce(sum(p.investment_wan), 0) AS investment_wan
FROM stages AS s
LEFT JOIN p ON p.stage_rank >= s.stage_rank
GROUP BY s.stage, s.stage_rank
ORDER BY s.stage_rank;
