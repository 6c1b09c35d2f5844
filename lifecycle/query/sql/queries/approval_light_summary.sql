-- One row per department of the approval steps of the slice at $month narrowed to $depts and
-- $lights (a step without department counts under $dept_unknown), then a total row (dept
-- NULL): the number of steps per light, all steps, and distinct projects.
WITH s AS (
    SELECT project_id, coalesce(dept, $dept_unknown) AS dept, light
    FROM approval_steps($month, $units, $tiers, $sections, $origins, $categories, $majors, $depts, $lights)
)
SELECT
    CASE WHEN GROUPING(dept) = 1 THEN NULL ELSE dept END AS dept,
    count_if(light = 'green') AS green,
    count_if(light = 'green_late') AS green_late,
    count_if(light = 'yellow') AS yellow,
    count_if(light = 'red') AS red,
    count(*) AS steps,
    count(DISTINCT project_id) AS projects
FROM s
GROUP BY GROUPING SETS ((dept), ())
ORDER BY GROUPING(dept), dept;
