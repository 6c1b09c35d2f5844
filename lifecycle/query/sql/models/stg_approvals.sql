-- One row per project × approval step per snapshot month. raw_approvals is the stored rows of
-- the months the query reads (see stg_projects.sql).
CREATE OR REPLACE VIEW raw_approvals AS
SELECT * FROM read_parquet(getvariable('approvals_files'), hive_partitioning = true,
                           hive_types = {'month': VARCHAR});

CREATE OR REPLACE VIEW stg_approvals AS
SELECT
    a.* EXCLUDE (month),
    a.month AS snapshot_month,
    last_day(strptime(a.month || '-01', '%Y-%m-%d')::DATE) AS as_of
FROM raw_approvals AS a;
