-- One row per project of the slice at $month, narrowed by optional $stage (current stage, or
-- 'exited'), $reached_rank (reached at least that stage rank) and $in_library: the key fields
-- a drill-down list shows.
SELECT
    project_id, name, enterprise, unit_code, unit_name, township_name, stage,
    CASE WHEN in_library THEN stage ELSE 'exited' END AS state,
    tier_band, total_investment_wan, cumulative_done_wan, year_plan_wan, year_done_wan,
    origin, category, industry_section, signed_on, filed_on, started_on, completed_on,
    production_on, capacity_on, planned_started_on, planned_completed_on, exit_on, exit_reason,
    campaign, owner, lead_dept, project_code, credit_code
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE ($stage IS NULL OR (CASE WHEN in_library THEN stage ELSE 'exited' END) = $stage)
  AND ($reached_rank IS NULL OR stage_rank >= $reached_rank)
  AND ($in_library IS NULL OR in_library = $in_library)
ORDER BY total_investment_wan DESC NULLS LAST, project_id;
