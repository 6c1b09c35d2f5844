-- One row per project of $project_ids in the $month snapshot: its state then (stage, or
-- 'exited' once it left the library).
SELECT project_id, CASE WHEN in_library THEN stage ELSE 'exited' END AS state
FROM month_projects($month)
WHERE list_contains($project_ids, project_id);
