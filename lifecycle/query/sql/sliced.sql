-- Table macros: the projects of a range of snapshot months (or one month) restricted to a
-- slice. Each list argument is NULL (no filter) or the list of accepted values; `majors` holds
-- major_level values (provincial / municipal) or 'none' for projects that are neither.
CREATE OR REPLACE MACRO sliced_months(m_from, m_to, units, tiers, sections, origins, categories, majors) AS TABLE
SELECT *
FROM int_projects
WHERE snapshot_month BETWEEN m_from AND m_to
  AND (units IS NULL OR list_contains(units, unit_code))
  AND (tiers IS NULL OR list_contains(tiers, tier_band))
  AND (sections IS NULL OR list_contains(sections, industry_section))
  AND (origins IS NULL OR list_contains(origins, origin))
  AND (categories IS NULL OR list_contains(categories, category))
  AND (majors IS NULL OR list_contains(majors, coalesce(major_level, 'none')));

CREATE OR REPLACE MACRO sliced(m, units, tiers, sections, origins, categories, majors) AS TABLE
SELECT * FROM sliced_months(m, m, units, tiers, sections, origins, categories, majors);
