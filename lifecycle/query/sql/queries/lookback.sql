-- One row per campaign batch (集中开工 / 集中竣工) × unit of the slice at $month, plus one total
-- row per batch (unit_code NULL): how many of the batch's projects really started (开工) or
-- completed (竣工) by their baseline planned date — measured now (the $month snapshot) and at the
-- batch month (the last month of the batch quarter; NULL when that snapshot is not published).
-- Per-project rules: the lookback_rows macro (lookback_rows.sql).
SELECT campaign, kind, batch_month, unit_code,
       CASE WHEN GROUPING(unit_code) = 1 THEN NULL ELSE any_value(unit_name) END AS unit_name,
       count(*) AS projects,
       count(*) FILTER (WHERE on_time_now) AS on_time_now,
       count(*) FILTER (WHERE done_now) AS done_now,
       count(*) FILTER (WHERE on_time_now) / count(*) AS on_time_share_now,
       count(*) FILTER (WHERE done_now) / count(*) AS done_share_now,
       bool_and(at_batch_published) AS at_batch_published,
       CASE WHEN bool_and(at_batch_published) THEN count(*) FILTER (WHERE on_time_at_batch) END AS on_time_at_batch,
       CASE WHEN bool_and(at_batch_published) THEN count(*) FILTER (WHERE on_time_at_batch) / count(*) END
           AS on_time_share_at_batch
FROM lookback_rows($month, NULL, $units, $tiers, $sections, $origins, $categories, $majors)
GROUP BY GROUPING SETS ((campaign, kind, batch_month, unit_code), (campaign, kind, batch_month))
ORDER BY batch_month DESC, campaign, unit_code NULLS FIRST;
