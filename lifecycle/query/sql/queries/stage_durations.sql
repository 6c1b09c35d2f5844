-- One row per project × stage transition completed by $month (slice at $month): months
-- between consecutive milestones (days / 30.4375), e.g. the approval period filed -> started
-- (rule: stage_duration_rows.sql).
SELECT project_id, transition, months
FROM stage_duration_rows($month, $units, $tiers, $sections, $origins, $categories, $majors);
