-- One row per project per published snapshot month: the stored columns, renamed/cast only,
-- plus the region's drill-down unit and the as-of date (last day of the snapshot month). The
-- file list starts with a schema-only file (no rows), so a column added after a month was
-- published reads as NULL in that month (union_by_name).
CREATE OR REPLACE VIEW stg_projects AS
SELECT
    p.* EXCLUDE (month),
    p.month AS snapshot_month,
    last_day(strptime(p.month || '-01', '%Y-%m-%d')::DATE) AS as_of,
    u.township_name,
    coalesce(u.unit_code, p.township_code) AS unit_code,
    coalesce(u.unit_name, p.township_code) AS unit_name
FROM read_parquet(getvariable('projects_files'), hive_partitioning = true, union_by_name = true,
                  hive_types = {'month': VARCHAR}) AS p
LEFT JOIN ref_units AS u USING (township_code);
