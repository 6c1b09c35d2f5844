-- One row per (project, unit) pair found in the snapshots up to $month: the units a project
-- belonged to ($project_id NULL: every project). Used to keep a township account to its unit.
SELECT DISTINCT project_id, unit_code
FROM stg_projects
WHERE snapshot_month <= $month
  AND ($project_id IS NULL OR project_id = $project_id)
ORDER BY project_id, unit_code;
