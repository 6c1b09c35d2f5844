-- Table macro: one row per project of a campaign batch (集中开工 / 集中竣工, label like
-- '2025Q1集中开工') in the slice at month m, for batches whose month (the last month of the batch
-- quarter) is on or before m; campaign_filter (NULL = all batches) narrows to one batch. The
-- promise is the project's baseline planned date (planned_started_on for 集中开工,
-- planned_completed_on for 集中竣工): the first non-empty value it had in any snapshot up to m, so
-- a re-plan cannot rescue it. "now" uses the m snapshot; "at batch" uses the batch month's
-- snapshot if published (at_batch_published), counting only milestones reported by then.
-- Exited projects stay in. The single definition behind lookback.sql and lookback_projects.sql.
-- The batch-month snapshots are read from the staging view: the caller narrows it to those months.
-- campaign_batch_month(campaign): the batch month of a campaign label, NULL for any other text.
CREATE OR REPLACE MACRO campaign_batch_month(c) AS
CASE WHEN regexp_full_match(coalesce(c, ''), '\d{4}Q[1-4]集中(开工|竣工)')
     THEN printf('%04d-%02d', CAST(substr(c, 1, 4) AS INTEGER), CAST(substr(c, 6, 1) AS INTEGER) * 3)
END;

CREATE OR REPLACE MACRO lookback_rows(m, campaign_filter, units, tiers, sections, origins, categories, majors) AS TABLE
WITH cur AS (
    SELECT *,
        CASE WHEN campaign LIKE '%集中开工' THEN 'start'
             WHEN campaign LIKE '%集中竣工' THEN 'complete' END AS kind,
        campaign_batch_month(campaign) AS batch_month
    FROM sliced(m, units, tiers, sections, origins, categories, majors)
    WHERE campaign_batch_month(campaign) IS NOT NULL
      AND (campaign_filter IS NULL OR campaign = campaign_filter)
),
batches AS (
    SELECT * FROM cur WHERE batch_month <= m
),
base AS (
    SELECT project_id, baseline_started_on AS baseline_start, baseline_completed_on AS baseline_complete
    FROM plan_baselines(m)
),
published AS (
    SELECT snapshot_month FROM published_months WHERE gen = getvariable('rel_gen') AND snapshot_month <= m
),
at_batch AS (
    SELECT s.project_id, s.snapshot_month, s.as_of, s.started_on, s.completed_on
    FROM stg_projects AS s
    WHERE s.snapshot_month IN (SELECT DISTINCT batch_month FROM batches)
      AND s.project_id IN (SELECT project_id FROM batches)
),
j AS (
    SELECT b.project_id, b.name, b.enterprise, b.unit_code, b.unit_name, b.campaign, b.kind,
           b.batch_month, b.as_of, b.in_library, b.stage, b.owner,
           CASE WHEN b.kind = 'start' THEN base.baseline_start ELSE base.baseline_complete END AS planned_on,
           CASE WHEN b.kind = 'start' THEN b.planned_started_on ELSE b.planned_completed_on END AS planned_now_on,
           CASE WHEN b.kind = 'start' THEN b.started_on ELSE b.completed_on END AS actual_on,
           (b.batch_month IN (SELECT snapshot_month FROM published)) AS at_batch_published,
           a.as_of AS batch_as_of,
           CASE WHEN b.kind = 'start' THEN a.started_on ELSE a.completed_on END AS actual_at_batch_on
    FROM batches AS b
    LEFT JOIN base USING (project_id)
    LEFT JOIN at_batch AS a ON a.project_id = b.project_id AND a.snapshot_month = b.batch_month
)
SELECT project_id, name, enterprise, unit_code, unit_name, campaign, kind, batch_month,
       planned_on, planned_now_on, actual_on,
       coalesce(actual_on <= as_of, FALSE) AS done_now,
       coalesce(actual_on <= as_of AND actual_on <= planned_on, FALSE) AS on_time_now,
       at_batch_published,
       CASE WHEN at_batch_published THEN coalesce(actual_at_batch_on <= batch_as_of, FALSE) END AS done_at_batch,
       CASE WHEN at_batch_published
            THEN coalesce(actual_at_batch_on <= batch_as_of AND actual_at_batch_on <= planned_on, FALSE)
       END AS on_time_at_batch,
       CASE WHEN in_library THEN stage ELSE 'exited' END AS state,
       owner,
       as_of, batch_as_of
FROM j;
