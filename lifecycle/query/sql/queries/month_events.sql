-- One row per project of the slice at snapshot $month × milestone event (signed, intent,
-- filed, started, completed) dated within $month: the projects confirmed and announced in
-- the month's bulletin (月通报).
SELECT
    event, event_on, project_id, name, enterprise, unit_code, unit_name, township_name,
    total_investment_wan, signing_type, origin, category, industry_section, project_code,
    planned_started_on, planned_completed_on, owner, lead_dept
FROM month_event_rows($month, $month_start, $units, $tiers, $sections, $origins, $categories, $majors)
ORDER BY CASE event WHEN 'signed' THEN 1 WHEN 'intent' THEN 2 WHEN 'filed' THEN 3
                    WHEN 'started' THEN 4 ELSE 5 END,
         unit_code, event_on, project_id;
