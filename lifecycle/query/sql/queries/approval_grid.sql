-- One row per approval step of the projects on one page of the approval checklist grid: the
-- projects of the slice at $month with a step in $depts / $lights, ordered by their number of
-- red steps (most first), then the longest time past due, then project_id; rows $offset + 1 to
-- $offset + $limit of that order ($limit NULL = all). `rn` is the project's place in it.
WITH s AS (
    SELECT * FROM approval_steps($month, $units, $tiers, $sections, $origins, $categories, $majors, $depts, $lights)
),
p AS (
    SELECT project_id, count_if(light = 'red') AS red, max(days_past_due) AS days_past_due
    FROM s
    GROUP BY project_id
),
ranked AS (
    SELECT *, row_number() OVER (ORDER BY red DESC, days_past_due DESC NULLS LAST, project_id) AS rn
    FROM p
)
SELECT r.rn, s.project_id, s.name, s.unit_name, s.owner, s.step, s.light, r.red, r.days_past_due
FROM ranked AS r
JOIN s USING (project_id)
WHERE r.rn > $offset AND ($limit IS NULL OR r.rn <= $offset + $limit)
ORDER BY r.rn, s.received_on, s.step;
