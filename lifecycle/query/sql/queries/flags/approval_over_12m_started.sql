-- One row per project of the slice at $month that started in the period (1 January of the
-- as-of year to the as-of date) with an approval period over $approval_months months
-- (filed_on + N months < started_on): the period's statistic of slow approvals.
SELECT project_id, name, enterprise, unit_code, unit_name, filed_on, started_on,
       date_diff('day', filed_on, started_on) / 30.4375 AS approval_months,
       owner, lead_dept, total_investment_wan
FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
WHERE started_on BETWEEN make_date(year(as_of), 1, 1) AND as_of
  AND filed_on IS NOT NULL
  AND filed_on + to_months($approval_months) < started_on
ORDER BY started_on, project_id;
