-- One row per in-library project of the slice at $month in this year's plan (year_plan_wan > 0)
-- whose year-to-date completion ratio is more than $gap_pp percentage points below the time
-- share of the year (month of M / 12).
WITH p AS (
    SELECT *,
        coalesce(year_done_wan, 0) / year_plan_wan AS ytd_ratio,
        month(as_of) / 12.0 AS time_share
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories)
    WHERE in_library AND year_plan_wan > 0
)
SELECT project_id, name, enterprise, unit_code, unit_name, year_plan_wan, year_done_wan,
       ytd_ratio, time_share, (time_share - ytd_ratio) * 100 AS gap_pp,
       owner, lead_dept, category, total_investment_wan
FROM p
WHERE (time_share - ytd_ratio) * 100 > $gap_pp
ORDER BY gap_pp DESC, project_id;
