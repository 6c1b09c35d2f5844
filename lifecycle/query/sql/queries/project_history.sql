-- One row per published snapshot month up to $month in which project $project_id appears: its
-- investment as reported then, and the time-proportional plan path for that year —
-- cumulative at the previous year end + year plan × month/12 (the investment_behind rule);
-- NULL when the project had no year plan in that snapshot.
SELECT snapshot_month, as_of, total_investment_wan, cumulative_done_wan, year_plan_wan, year_done_wan,
       equipment_done_wan,
       CASE WHEN year_plan_wan > 0
            THEN coalesce(cumulative_done_wan, 0) - coalesce(year_done_wan, 0) + year_plan_wan * month(as_of) / 12.0
       END AS planned_cumulative_wan,
       CASE WHEN year_plan_wan > 0
            THEN coalesce(cumulative_done_wan, 0) - coalesce(year_done_wan, 0) + year_plan_wan
       END AS year_end_target_wan,
       stage
FROM int_projects
WHERE project_id = $project_id AND snapshot_month <= $month
ORDER BY snapshot_month;
