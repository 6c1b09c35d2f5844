-- One row per distinct approval step (and per department) among the steps of the slice at
-- $month narrowed to $depts / $lights: the grid's columns and the department filter's options.
SELECT DISTINCT step, dept
FROM approval_steps($month, $units, $tiers, $sections, $origins, $categories, $majors, $depts, $lights);
