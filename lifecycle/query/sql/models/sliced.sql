-- Scalar macro: whether a row with these attributes lies in the slice. Each list argument is
-- NULL (no filter) or the list of accepted values; `majors` holds major_level values
-- (provincial / municipal) or 'none' for projects that are neither. The one definition of a
-- slice in SQL: every query that narrows rows by the sidebar filters calls it.
CREATE OR REPLACE MACRO in_slice(unit_code, tier_band, industry_section, origin, category, major_level,
                                 units, tiers, sections, origins, categories, majors) AS
    (units IS NULL OR list_contains(units, unit_code))
    AND (tiers IS NULL OR list_contains(tiers, tier_band))
    AND (sections IS NULL OR list_contains(sections, industry_section))
    AND (origins IS NULL OR list_contains(origins, origin))
    AND (categories IS NULL OR list_contains(categories, category))
    AND (majors IS NULL OR list_contains(majors, coalesce(major_level, 'none')));

-- Table macro: the projects of one snapshot month restricted to a slice (in_slice above). Reads
-- the month model month_projects(m) (the int_projects rows of month m, materialised once per
-- published version).
CREATE OR REPLACE MACRO sliced(m, units, tiers, sections, origins, categories, majors) AS TABLE
SELECT *
FROM month_projects(m)
WHERE in_slice(unit_code, tier_band, industry_section, origin, category, major_level,
               units, tiers, sections, origins, categories, majors);

-- Table macro: one row per drill-down unit of the region within the slice's units (all units
-- when `units` is NULL): the rows a per-unit summary starts from, so a unit with nothing to
-- report still has its row of zeros.
CREATE OR REPLACE MACRO slice_units(units) AS TABLE
SELECT DISTINCT unit_code, unit_name FROM ref_units
WHERE units IS NULL OR list_contains(units, unit_code);
