-- One row per in-library project of the slice at $month in this year's plan (year_plan_wan > 0)
-- whose year-to-date completion ratio is more than $gap_pp percentage points below the time
-- share of the year (month of M / 12). A gap of exactly $gap_pp points is not listed; the gap is
-- rounded to 9 decimals first so float noise (e.g. 10/12 - 190/300) cannot decide the edge.
WITH p AS (
    SELECT *,
        coalesce(year_done_wan, 0) / year_plan_wan AS ytd_ratio,
        month(as_of) / 12.0 AS time_share
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library AND year_plan_wan > 0
)
SELECT project_id, name, enterprise, unit_code, unit_name, year_plan_wan, year_done_wan,
       ytd_ratio, time_share, (time_share - ytd_ratio) * 100 AS gap_pp,
       owner, lead_dept, category, total_investment_wan
FROM p
WHERE round((time_share - ytd_ratio) * 100, 9) > $gap_pp
ORDER BY gap_pp DESC, project_id;
