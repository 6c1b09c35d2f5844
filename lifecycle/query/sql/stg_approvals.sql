-- One row per project × approval step per snapshot month.
CREATE OR REPLACE VIEW stg_approvals AS
SELECT
    a.* EXCLUDE (month),
    a.month AS snapshot_month,
    last_day(strptime(a.month || '-01', '%Y-%m-%d')::DATE) AS as_of
FROM read_parquet(getvariable('approvals_files'), hive_partitioning = true,
                  hive_types = {'month': VARCHAR}) AS a;
