-- One row per producing project × operating month, per snapshot month. The table's own
-- `month` column (the operating month) would clash with the hive key, so the snapshot month
-- is read from the file name instead.
CREATE OR REPLACE VIEW stg_operations AS
SELECT
    o.* EXCLUDE (filename),
    regexp_extract(o.filename, 'month=(\d{4}-\d{2})', 1) AS snapshot_month
FROM read_parquet(getvariable('operations_files'), hive_partitioning = false,
                  filename = true) AS o;
