-- One row per project of the $month snapshot (any state) whose id, name, enterprise, project code
-- or credit code contains the search text ($pattern: '%text%' with % _ \ escaped, matched
-- case-insensitively), of unit $unit (NULL: any unit); exact id/code matches first, at most $limit rows.
SELECT project_id, name, enterprise, unit_name, project_code, credit_code,
       CASE WHEN in_library THEN stage ELSE 'exited' END AS state, total_investment_wan
FROM month_projects($month)
WHERE ($unit IS NULL OR unit_code = $unit)
  AND (project_id ILIKE $pattern ESCAPE '\'
       OR name ILIKE $pattern ESCAPE '\'
       OR enterprise ILIKE $pattern ESCAPE '\'
       OR project_code ILIKE $pattern ESCAPE '\'
       OR credit_code ILIKE $pattern ESCAPE '\')
ORDER BY (upper(project_id) = upper($text) OR upper(project_code) = upper($text)
          OR upper(credit_code) = upper($text)) DESC,
         total_investment_wan DESC NULLS LAST, project_id
LIMIT $limit;
