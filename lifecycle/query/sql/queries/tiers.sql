-- One row per investment band (docs/domain.md §3) of the in-library projects of the slice at $month:
-- count, total / cumulative / this-year investment, new vs upgrade, and the stage mix.
SELECT
    tier_band,
    count(*) AS count,
    sum(total_investment_wan) AS total_investment_wan,
    sum(cumulative_done_wan) AS cumulative_done_wan,
    sum(year_done_wan) AS year_done_wan,
    count_if(origin = 'new') AS new_count,
    count_if(origin = 'upgrade') AS upgrade_count,
    count_if(stage = 'intent') AS stage_intent,
    count_if(stage = 'signed') AS stage_signed,
    count_if(stage = 'filed') AS stage_filed,
    count_if(stage = 'started') AS stage_started,
    count_if(stage = 'completed') AS stage_completed,
    count_if(stage = 'producing') AS stage_producing,
    count_if(stage = 'at_capacity') AS stage_at_capacity
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE in_library
GROUP BY tier_band;
