-- One row per signing year: projects of the slice signed that year (exited ones included)
-- and how many have reached each milestone by $month.
SELECT
    year(signed_on) AS signing_year,
    count(*) AS signed_all,
    count_if(stage_rank >= 1) AS signed,
    count_if(stage_rank >= 2) AS filed,
    count_if(stage_rank >= 3) AS started,
    count_if(stage_rank >= 4) AS completed,
    count_if(stage_rank >= 5) AS producing,
    count_if(stage_rank >= 6) AS at_capacity,
    count_if(NOT in_library) AS exited
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY signing_year
ORDER BY signing_year;
