-- One row per group of the slice at $month (the whole slice when $group_by is 'all'):
-- numerator and denominator of each of the five rates. Reads rate_inputs of the whole library
-- (materialised once per month and period, month_rate_inputs) and keeps the slice's projects:
-- a project's membership does not depend on the slice.
SELECT
    CASE $group_by
        WHEN 'unit_code' THEN unit_code
        WHEN 'tier_band' THEN tier_band
        WHEN 'industry_section' THEN industry_section
        WHEN 'origin' THEN origin
        WHEN 'category' THEN category
        ELSE 'all'
    END                                AS grp,
    count_if(filing_num)               AS filing_rate_num,
    count_if(filing_den)               AS filing_rate_den,
    count_if(start_num)                AS start_rate_num,
    count_if(start_den)                AS start_rate_den,
    coalesce(sum(investment_num), 0)   AS investment_rate_num,
    coalesce(sum(investment_den), 0)   AS investment_rate_den,
    count_if(production_num)           AS production_rate_num,
    count_if(production_den)           AS production_rate_den,
    count_if(capacity_num)             AS capacity_rate_num,
    count_if(capacity_den)             AS capacity_rate_den
FROM month_rate_inputs($month, $baseline_month, $period_from)
WHERE in_slice(unit_code, tier_band, industry_section, origin, category, major_level,
               $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY grp
ORDER BY grp;
