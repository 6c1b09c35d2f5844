-- One row per project per published snapshot month: the stored columns, renamed/cast only,
-- plus the region's drill-down unit and the as-of date (last day of the snapshot month).
-- raw_projects is the stored rows of the months the query reads (db.py points it at their files,
-- or, while a month model is materialised, at that month's rows alone). union_by_name (set by
-- db.py only when some month was published before a column was added): such a month reads the
-- column as NULL.
CREATE OR REPLACE VIEW raw_projects AS
SELECT * FROM read_parquet(getvariable('projects_files'), hive_partitioning = true,
                           hive_types = {'month': VARCHAR}, union_by_name = getvariable('projects_union'));

CREATE OR REPLACE VIEW stg_projects AS
SELECT
    p.* EXCLUDE (month),
    p.month AS snapshot_month,
    last_day(strptime(p.month || '-01', '%Y-%m-%d')::DATE) AS as_of,
    u.township_name,
    coalesce(u.unit_code, p.township_code) AS unit_code,
    coalesce(u.unit_name, p.township_code) AS unit_name
FROM raw_projects AS p
LEFT JOIN ref_units AS u USING (township_code);
