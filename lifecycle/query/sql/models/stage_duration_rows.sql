-- Table macro: one row per project × stage transition completed by month m (projects of the
-- slice at m): months between consecutive milestones (days / 30.4375), e.g. the approval period
-- filed -> started. The single definition behind stage_durations.sql and its summary.
CREATE OR REPLACE MACRO stage_duration_rows(m, units, tiers, sections, origins, categories, majors) AS TABLE
WITH p AS (SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors)),
pairs AS (
    SELECT project_id, 'intent_signed' AS transition, intent_signed_on AS d0, signed_on AS d1 FROM p
        WHERE signing_type = 'formal'
    UNION ALL SELECT project_id, 'signed_filed', signed_on, filed_on FROM p
        WHERE signing_type = 'formal'
    UNION ALL SELECT project_id, 'filed_started', filed_on, started_on FROM p
    UNION ALL SELECT project_id, 'started_completed', started_on, completed_on FROM p
    UNION ALL SELECT project_id, 'completed_producing', completed_on, production_on FROM p
    UNION ALL SELECT project_id, 'producing_at_capacity', production_on, capacity_on FROM p
)
SELECT project_id, transition, date_diff('day', d0, d1) / 30.4375 AS months
FROM pairs
WHERE d0 IS NOT NULL AND d1 IS NOT NULL;
