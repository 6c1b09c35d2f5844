-- One row per campaign batch (集中开工 / 集中竣工) × unit of the slice at $month, plus one total
-- row per batch (unit_code NULL): how many of the batch's projects really started (开工) or
-- completed (竣工) by their baseline planned date — measured now (the $month snapshot) and at the
-- batch month (the last month of the batch quarter; NULL when that snapshot is not published).
-- Only batches whose month is on or before $month. Same per-project rules as
-- lookback_projects.sql (the baseline planned date is the first one the project had).
WITH cur AS (
    SELECT *,
        CASE WHEN campaign LIKE '%集中开工' THEN 'start'
             WHEN campaign LIKE '%集中竣工' THEN 'complete' END AS kind,
        printf('%04d-%02d', CAST(substr(campaign, 1, 4) AS INTEGER),
               CAST(substr(campaign, 6, 1) AS INTEGER) * 3) AS batch_month
    FROM sliced($month, $units, $tiers, $sections, $origins, $categories)
    WHERE regexp_full_match(coalesce(campaign, ''), '\d{4}Q[1-4]集中(开工|竣工)')
),
batches AS (
    SELECT * FROM cur WHERE batch_month <= $month
),
base AS (
    SELECT project_id,
        arg_min(planned_started_on, snapshot_month) FILTER (WHERE planned_started_on IS NOT NULL) AS baseline_start,
        arg_min(planned_completed_on, snapshot_month) FILTER (WHERE planned_completed_on IS NOT NULL) AS baseline_complete
    FROM stg_projects
    WHERE snapshot_month <= $month AND project_id IN (SELECT project_id FROM batches)
    GROUP BY project_id
),
published AS (
    SELECT DISTINCT snapshot_month FROM stg_projects WHERE snapshot_month <= $month
),
at_batch AS (
    SELECT s.project_id, s.snapshot_month, s.as_of, s.started_on, s.completed_on
    FROM stg_projects AS s
    WHERE s.snapshot_month IN (SELECT DISTINCT batch_month FROM batches)
),
j AS (
    SELECT b.project_id, b.unit_code, b.unit_name, b.campaign, b.kind, b.batch_month, b.as_of,
           CASE WHEN b.kind = 'start' THEN base.baseline_start ELSE base.baseline_complete END AS planned_on,
           CASE WHEN b.kind = 'start' THEN b.started_on ELSE b.completed_on END AS actual_on,
           (b.batch_month IN (SELECT snapshot_month FROM published)) AS at_batch_published,
           a.as_of AS batch_as_of,
           CASE WHEN b.kind = 'start' THEN a.started_on ELSE a.completed_on END AS actual_at_batch_on
    FROM batches AS b
    LEFT JOIN base USING (project_id)
    LEFT JOIN at_batch AS a ON a.project_id = b.project_id AND a.snapshot_month = b.batch_month
),
p AS (
    SELECT *,
        coalesce(actual_on <= as_of, FALSE) AS done_now,
        coalesce(actual_on <= as_of AND actual_on <= planned_on, FALSE) AS on_time_now,
        coalesce(actual_at_batch_on <= batch_as_of AND actual_at_batch_on <= planned_on, FALSE) AS on_time_at_batch
    FROM j
)
SELECT campaign, kind, batch_month, unit_code, any_value(unit_name) AS unit_name,
       count(*) AS projects,
       count(*) FILTER (WHERE on_time_now) AS on_time_now,
       count(*) FILTER (WHERE done_now) AS done_now,
       count(*) FILTER (WHERE on_time_now) / count(*) AS on_time_share_now,
       count(*) FILTER (WHERE done_now) / count(*) AS done_share_now,
       bool_and(at_batch_published) AS at_batch_published,
       CASE WHEN bool_and(at_batch_published) THEN count(*) FILTER (WHERE on_time_at_batch) END AS on_time_at_batch,
       CASE WHEN bool_and(at_batch_published) THEN count(*) FILTER (WHERE on_time_at_batch) / count(*) END
           AS on_time_share_at_batch
FROM p
GROUP BY GROUPING SETS ((campaign, kind, batch_month, unit_code), (campaign, kind, batch_month))
ORDER BY batch_month DESC, campaign, unit_code NULLS FIRST;
