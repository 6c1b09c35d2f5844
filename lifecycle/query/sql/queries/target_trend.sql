-- One row per yearly count (拿地即开工, 联合竣工验收, 新入规) × month 1..month($month) of
-- year($month): projects counted in the month and cumulated from January (docs/domain.md §7.3).
WITH k AS (SELECT * FROM (VALUES ('land_to_start', 1), ('joint_acceptance', 2), ('above_scale', 3)) AS t(target_key, target_ord)),
mo AS (SELECT unnest(generate_series(1, CAST(substr($month, 6, 2) AS INTEGER))) AS month_no),
c AS (
    SELECT target_key, month(event_on) AS month_no, count(*) AS count
    FROM target_rows($month, $year_start, $land_days, $units, $tiers, $sections, $origins, $categories, $majors)
    GROUP BY ALL
)
SELECT k.target_key, k.target_ord, mo.month_no,
       substr($month, 1, 4) || '-' || lpad(CAST(mo.month_no AS VARCHAR), 2, '0') AS event_month,
       coalesce(c.count, 0) AS count,
       sum(coalesce(c.count, 0)) OVER (PARTITION BY k.target_key ORDER BY mo.month_no) AS ytd_count
FROM k CROSS JOIN mo LEFT JOIN c USING (target_key, month_no)
ORDER BY k.target_ord, mo.month_no;
