-- One row: the drill-down unit of project $project_id in the $month snapshot (none if absent).
SELECT unit_code FROM month_projects($month) WHERE project_id = $project_id;
