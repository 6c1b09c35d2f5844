-- One row per problem (矛盾问题) per snapshot month. union_by_name (set by db.py only when some
-- month was published before a column was added, e.g. deadline_on): such a month reads it as NULL.
CREATE OR REPLACE VIEW stg_problems AS
SELECT
    q.* EXCLUDE (month),
    q.month AS snapshot_month
FROM read_parquet(getvariable('problems_files'), hive_partitioning = true,
                  hive_types = {'month': VARCHAR}, union_by_name = getvariable('problems_union')) AS q;
