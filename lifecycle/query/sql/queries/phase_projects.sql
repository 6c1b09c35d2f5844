-- One row per in-library project of the slice at $month in a configured phase (docs/domain.md
-- §2.3), optionally only phase $phase and/or only the overdue ones ($overdue_only): the phase,
-- when its clock started, months in it against the limit. Rules: ztf_models.sql phase_rows.
SELECT phase, phase_ord, project_id, name, enterprise, unit_code, unit_name, stage, total_investment_wan,
       phase_entry_on, months_in_phase, limit_months, overdue, months_over,
       signed_on, intent_signed_on, filed_on, started_on, completed_on, production_on,
       planned_completed_on, major_level, owner, lead_dept
FROM phase_rows($month, $units, $tiers, $sections, $origins, $categories, $majors, $phase_keys, $phase_entries, $phase_limits, $phase_done, $map_stages, $map_phase_ord)
WHERE ($phase IS NULL OR phase = $phase)
  AND (NOT coalesce($overdue_only, false) OR overdue)
ORDER BY phase_ord, overdue DESC, months_in_phase DESC NULLS LAST, project_id;
