-- One row per project of a campaign batch in the slice at $month ($campaign NULL = all batches):
-- baseline and current planned date, actual date, done / on time now and at the batch month.
-- Per-project rules: the lookback_rows macro (lookback_rows.sql).
SELECT * EXCLUDE (as_of, batch_as_of)
FROM lookback_rows($month, $campaign, $units, $tiers, $sections, $origins, $categories, $majors)
ORDER BY batch_month DESC, campaign, unit_code, project_id;
