-- One row per project of the slice that started or completed in quarter [$q_start, $q_end]
-- (as of snapshot $month) or was planned to start or complete in it (quarter plan from
-- snapshot $plan_month), with plan against actual; see quarter_rows in review_models.sql.
SELECT
    project_id, name, enterprise, unit_code, unit_name, township_name, stage,
    CASE WHEN in_library THEN stage ELSE 'exited' END AS state,
    total_investment_wan, origin, category, campaign, owner, lead_dept,
    started_in_q, completed_in_q, planned_start_in_q, planned_complete_in_q,
    baseline_started_on, q_planned_started_on, planned_started_on, actual_started_on,
    start_status, start_delay_days,
    baseline_completed_on, q_planned_completed_on, planned_completed_on, actual_completed_on,
    complete_status, complete_delay_days
FROM quarter_rows($month, $plan_month, $q_start, $q_end, $units, $tiers, $sections, $origins, $categories, $majors)
ORDER BY unit_code, total_investment_wan DESC NULLS LAST, project_id;
