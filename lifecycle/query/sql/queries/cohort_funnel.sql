-- One row per signing year: projects of the slice first signed that year (exited ones included)
-- and how many have reached each milestone by $month. The signing year is that of the first
-- signing: the kept intent signing date when an intent turned formal (docs/domain.md §2.1), so an
-- intent of one year that became formal the next stays in its intent year's cohort and the
-- cohort's intent → formal conversion is real. intent_recorded counts the cohort's projects with
-- a recorded intent signing (intent_signed_on, or still an intent), intent_converted those of
-- them that are formal now.
SELECT
    year(coalesce(intent_signed_on, signed_on)) AS signing_year,
    count(*) AS signed_all,
    count_if(stage_rank >= 1) AS signed,
    count_if(stage_rank >= 2) AS filed,
    count_if(stage_rank >= 3) AS started,
    count_if(stage_rank >= 4) AS completed,
    count_if(stage_rank >= 5) AS producing,
    count_if(stage_rank >= 6) AS at_capacity,
    count_if(NOT in_library) AS exited,
    count_if(intent_signed_on IS NOT NULL OR signing_type = 'intent') AS intent_recorded,
    count_if(intent_signed_on IS NOT NULL AND signing_type = 'formal') AS intent_converted
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY signing_year
ORDER BY signing_year;
