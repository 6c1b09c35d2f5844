-- One row per in-library project of the slice at $month filed at least $approval_months
-- months before the as-of date (filed_on + N months <= as_of) and not started by then:
-- how long it has waited and which approval steps (and departments) are still open.
WITH p AS (
    SELECT * FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library
      AND filed_on IS NOT NULL
      AND filed_on + to_months($approval_months) <= as_of
      AND (started_on IS NULL OR started_on > as_of)
),
open_steps AS (
    SELECT project_id,
           string_agg(step || '（' || coalesce(dept, '') || '）', '、' ORDER BY received_on) AS open_steps
    FROM month_approvals($month)
    WHERE (done_on IS NULL OR done_on > as_of) AND project_id IN (SELECT project_id FROM p)
    GROUP BY project_id
)
SELECT p.project_id, p.name, p.enterprise, p.unit_code, p.unit_name, p.filed_on,
       date_diff('day', p.filed_on, p.as_of) / 30.4375 AS months_waiting,
       o.open_steps, p.owner, p.lead_dept, p.total_investment_wan
FROM p LEFT JOIN open_steps AS o USING (project_id)
ORDER BY p.filed_on, p.project_id;
