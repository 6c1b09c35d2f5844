-- One row per drill-down unit of the slice (plus a total row with unit_code NULL): how many
-- projects were signed (formal), signed as intent, filed, started and completed in $month and
-- in the year to date (1 January to the end of $month), with their total investment.
WITH ytd AS (
    SELECT *, event_on >= CAST($month_start AS DATE) AS in_month
    FROM month_event_rows($month, $year_start, $units, $tiers, $sections, $origins, $categories, $majors)
),
u AS (
    SELECT * FROM slice_units($units)
    UNION
    SELECT DISTINCT unit_code, unit_name FROM ytd
)
SELECT
    u.unit_code,
    CASE WHEN GROUPING(u.unit_code) = 1 THEN NULL ELSE any_value(u.unit_name) END AS unit_name,
    count(e.project_id) FILTER (WHERE e.event = 'signed' AND e.in_month)    AS signed_month,
    coalesce(sum(e.total_investment_wan) FILTER (WHERE e.event = 'signed' AND e.in_month), 0) AS signed_month_wan,
    count(e.project_id) FILTER (WHERE e.event = 'intent' AND e.in_month)    AS intent_month,
    count(e.project_id) FILTER (WHERE e.event = 'filed' AND e.in_month)     AS filed_month,
    coalesce(sum(e.total_investment_wan) FILTER (WHERE e.event = 'filed' AND e.in_month), 0) AS filed_month_wan,
    count(e.project_id) FILTER (WHERE e.event = 'started' AND e.in_month)   AS started_month,
    coalesce(sum(e.total_investment_wan) FILTER (WHERE e.event = 'started' AND e.in_month), 0) AS started_month_wan,
    count(e.project_id) FILTER (WHERE e.event = 'completed' AND e.in_month) AS completed_month,
    coalesce(sum(e.total_investment_wan) FILTER (WHERE e.event = 'completed' AND e.in_month), 0) AS completed_month_wan,
    count(e.project_id) FILTER (WHERE e.event = 'signed')                   AS signed_ytd,
    count(e.project_id) FILTER (WHERE e.event = 'intent')                   AS intent_ytd,
    count(e.project_id) FILTER (WHERE e.event = 'filed')                    AS filed_ytd,
    count(e.project_id) FILTER (WHERE e.event = 'started')                  AS started_ytd,
    count(e.project_id) FILTER (WHERE e.event = 'completed')                AS completed_ytd
FROM u
LEFT JOIN ytd AS e ON e.unit_code = u.unit_code
GROUP BY GROUPING SETS ((u.unit_code), ())
ORDER BY GROUPING(u.unit_code), u.unit_code;
