-- One row per in-library project of the slice at $month whose planned capacity date has
-- passed (planned_capacity_on < as_of) and whose capacity realisation — output of the
-- trailing 12 months (month_ops: $month and the 11 before it) / designed annual output — is below
-- $realisation_min (no reported output counts as 0). Needs a designed output. A realisation of
-- exactly $realisation_min is not listed (compared after rounding to 9 decimals: a sum of 12
-- monthly floats carries noise).
WITH p AS (
    SELECT * FROM sliced($month, $units, $tiers, $sections, $origins, $categories, $majors)
    WHERE in_library AND planned_capacity_on < as_of AND designed_output_wan > 0
),
ops AS (
    SELECT project_id, output_12m_wan FROM month_ops($month)
)
SELECT p.project_id, p.name, p.enterprise, p.unit_code, p.unit_name, p.planned_capacity_on,
       p.production_on, p.designed_output_wan, coalesce(ops.output_12m_wan, 0) AS output_12m_wan,
       coalesce(ops.output_12m_wan, 0) / p.designed_output_wan AS capacity_realisation,
       p.owner, p.lead_dept, p.total_investment_wan
FROM p LEFT JOIN ops USING (project_id)
WHERE round(coalesce(ops.output_12m_wan, 0) / p.designed_output_wan, 9) < $realisation_min
ORDER BY capacity_realisation, p.project_id;
