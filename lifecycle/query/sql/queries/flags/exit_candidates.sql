-- One row per in-library project of the slice at $month proposed for exit (退库候选):
-- 'achieved' when it has reached capacity by the as-of date; 'stalled' when it is not yet
-- producing (a producing project no longer invests; capacity_not_reached covers it), its latest
-- milestone is at least $stalled_months months old (latest + N months <= as_of) and its
-- cumulative investment is unchanged since snapshot $month_back (N months earlier).
WITH p AS (
    SELECT *,
        greatest(signed_on, coalesce(filed_on, signed_on), coalesce(started_on, signed_on),
                 coalesce(completed_on, signed_on), coalesce(production_on, signed_on),
                 coalesce(capacity_on, signed_on)) AS last_milestone_on
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library
),
candidates AS (  -- the conditions below that need no earlier snapshot, checked first
    SELECT * FROM p
    WHERE capacity_on <= as_of OR (stage_rank < 5 AND last_milestone_on + to_months($stalled_months) <= as_of)
),
back AS (
    SELECT project_id, cumulative_done_wan AS cumulative_back, TRUE AS present_back
    FROM month_projects($month_back)
)
SELECT p.project_id, p.name, p.enterprise, p.unit_code, p.unit_name, p.stage,
       p.last_milestone_on, p.capacity_on, p.cumulative_done_wan, b.cumulative_back,
       CASE WHEN p.capacity_on <= p.as_of THEN 'achieved' ELSE 'stalled' END AS suggested_reason,
       p.owner, p.lead_dept, p.total_investment_wan
FROM candidates AS p LEFT JOIN back AS b USING (project_id)
WHERE p.capacity_on <= p.as_of
   OR (p.stage_rank < 5
       AND p.last_milestone_on + to_months($stalled_months) <= p.as_of
       AND b.present_back
       AND coalesce(p.cumulative_done_wan, 0) = coalesce(b.cumulative_back, 0))
ORDER BY suggested_reason, p.project_id;
