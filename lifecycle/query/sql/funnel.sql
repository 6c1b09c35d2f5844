-- One row per lifecycle stage: how many projects of the slice at $month have reached it
-- (stage_rank >= the stage's rank). $scope = 'library' counts only projects still in the
-- library; 'all' also counts exited ones (they keep their milestone history).
WITH stages(stage, stage_rank) AS (
    VALUES ('intent', 0), ('signed', 1), ('filed', 2), ('started', 3),
           ('completed', 4), ('producing', 5), ('at_capacity', 6)
),
p AS (
    SELECT * FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE $scope = 'all' OR in_library
)
SELECT s.stage, s.stage_rank, count(p.project_id) AS reached,
       coalesce(sum(p.total_investment_wan), 0) AS investment_wan
FROM stages AS s
LEFT JOIN p ON p.stage_rank >= s.stage_rank
GROUP BY s.stage, s.stage_rank
ORDER BY s.stage_rank;
