-- One row per campaign batch month (campaign_batch_month, lookback_rows.sql) on or before $month
-- among the projects of the $month snapshot: the snapshots a look-back compares with.
SELECT DISTINCT campaign_batch_month(campaign) AS batch_month
FROM month_projects($month)
WHERE campaign_batch_month(campaign) <= $month
ORDER BY batch_month;
