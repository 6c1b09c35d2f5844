-- One row per project of the slice at $month whose state changed since $prev_month: new in
-- the library, moved to a later stage, or exited (stage as of each month).
WITH cur AS (SELECT * FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)),
prev AS (SELECT project_id, stage AS prev_stage, in_library AS prev_in_library
         FROM month_projects($prev_month))
SELECT cur.project_id, cur.name, cur.unit_name, cur.total_investment_wan,
       prev.prev_stage, cur.stage,
       CASE
           WHEN prev.project_id IS NULL THEN 'new'
           WHEN prev.prev_in_library AND NOT cur.in_library THEN 'exited'
           WHEN cur.stage <> prev.prev_stage THEN 'advanced'
       END AS change
FROM cur LEFT JOIN prev USING (project_id)
WHERE prev.project_id IS NULL
   OR (prev.prev_in_library AND NOT cur.in_library)
   OR cur.stage <> prev.prev_stage
ORDER BY change, cur.total_investment_wan DESC NULLS LAST;
