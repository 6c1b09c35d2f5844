-- One row per in-library project of the slice at $month whose planned completion date has
-- passed (planned_completed_on < as_of) and that has not completed by the as-of date, with
-- its action level: 'interview' (约谈) when more than $interview_months months overdue
-- (planned + N months < as_of), 'reminder' (提醒函) when at least $reminder_months month(s)
-- overdue (planned + M months <= as_of), else 'grace' (under a month; on no letter list).
SELECT project_id, name, enterprise, unit_code, unit_name, planned_completed_on, started_on,
       date_diff('day', planned_completed_on, as_of) AS days_overdue,
       date_diff('day', planned_completed_on, as_of) / 30.4375 AS months_overdue,
       CASE
           WHEN planned_completed_on + to_months($interview_months) < as_of THEN 'interview'
           WHEN planned_completed_on + to_months($reminder_months) <= as_of THEN 'reminder'
           ELSE 'grace'
       END AS level,
       owner, lead_dept, category, total_investment_wan, cumulative_done_wan
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE in_library
  AND planned_completed_on < as_of
  AND (completed_on IS NULL OR completed_on > as_of)
ORDER BY planned_completed_on, project_id;
