-- One row per unit × rate × cohort group between snapshots $m0 (before) and $m1 (after), for
-- the attribution of a rate's change (docs/forecast.md "变动归因"): the numerator and
-- denominator of the group at both months, from rate_inputs (the one definition of the rates,
-- docs/domain.md §4), each month with its own baseline month, period start and slice.
--   grp = 'stay'  : in the rate's denominator at both months,
--         'enter' : only at $m1 (the cohort gained it), 'leave' : only at $m0.
-- The unit is the project's unit at $m1 (at $m0 for a project that left). Summed over units and
-- groups, num/den at each month equal the slice's rate pair (rates.sql).
-- rate_inputs of the whole library at each month (materialised once per month and period,
-- month_rate_inputs), narrowed to the slice: a project's membership does not depend on the slice.
WITH a AS (
    SELECT * FROM month_rate_inputs($m0, $b0, $p0)
    WHERE in_slice(unit_code, tier_band, industry_section, origin, category, major_level,
                 $units, $tiers, $sections, $origins, $categories, $majors)
),
b AS (
    SELECT * FROM month_rate_inputs($m1, $b1, $p1)
    WHERE in_slice(unit_code, tier_band, industry_section, origin, category, major_level,
                 $units, $tiers, $sections, $origins, $categories, $majors)
),
j AS (
    SELECT
        coalesce(b.unit_code, a.unit_code) AS unit_code,
        coalesce(a.filing_den, FALSE) AS fd0, coalesce(a.filing_num, FALSE) AS fn0,
        coalesce(b.filing_den, FALSE) AS fd1, coalesce(b.filing_num, FALSE) AS fn1,
        coalesce(a.start_den, FALSE) AS sd0, coalesce(a.start_num, FALSE) AS sn0,
        coalesce(b.start_den, FALSE) AS sd1, coalesce(b.start_num, FALSE) AS sn1,
        coalesce(a.investment_den, 0) AS id0, coalesce(a.investment_num, 0) AS in0,
        coalesce(b.investment_den, 0) AS id1, coalesce(b.investment_num, 0) AS in1,
        coalesce(a.production_den, FALSE) AS pd0, coalesce(a.production_num, FALSE) AS pn0,
        coalesce(b.production_den, FALSE) AS pd1, coalesce(b.production_num, FALSE) AS pn1,
        coalesce(a.capacity_den, FALSE) AS cd0, coalesce(a.capacity_num, FALSE) AS cn0,
        coalesce(b.capacity_den, FALSE) AS cd1, coalesce(b.capacity_num, FALSE) AS cn1
    FROM a FULL OUTER JOIN b USING (project_id)
),
r AS (
    SELECT unit_code, 'filing_rate' AS rate, fd0 AS in0, fd1 AS in1,
           fn0::DOUBLE AS num0, fd0::DOUBLE AS den0, fn1::DOUBLE AS num1, fd1::DOUBLE AS den1 FROM j
    UNION ALL
    SELECT unit_code, 'start_rate', sd0, sd1, sn0::DOUBLE, sd0::DOUBLE, sn1::DOUBLE, sd1::DOUBLE FROM j
    UNION ALL
    SELECT unit_code, 'investment_rate', id0 > 0, id1 > 0, in0, id0, in1, id1 FROM j
    UNION ALL
    SELECT unit_code, 'production_rate', pd0, pd1, pn0::DOUBLE, pd0::DOUBLE, pn1::DOUBLE, pd1::DOUBLE FROM j
    UNION ALL
    SELECT unit_code, 'capacity_rate', cd0, cd1, cn0::DOUBLE, cd0::DOUBLE, cn1::DOUBLE, cd1::DOUBLE FROM j
)
SELECT
    unit_code, rate,
    CASE WHEN in0 AND in1 THEN 'stay' WHEN in1 THEN 'enter' ELSE 'leave' END AS grp,
    count(*) AS projects,
    sum(num0) AS num0, sum(den0) AS den0, sum(num1) AS num1, sum(den1) AS den1
FROM r
WHERE in0 OR in1
GROUP BY ALL
ORDER BY rate, unit_code, grp;
