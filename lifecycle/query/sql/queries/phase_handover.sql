-- One row per in-library project of the slice at $month × phase boundary it crossed in the
-- month ($month_start..as-of): from which phase to which, on what date (the entry milestone of
-- the next phase). Rules: ztf_models.sql handover_rows.
SELECT from_phase, from_ord, to_phase, to_ord, handover_on, project_id, name, enterprise, unit_code,
       unit_name, stage, total_investment_wan, owner
FROM handover_rows($month, $month_start, $units, $tiers, $sections, $origins, $categories, $majors,
                   $phase_keys, $phase_entries)
ORDER BY to_ord, handover_on, project_id;
