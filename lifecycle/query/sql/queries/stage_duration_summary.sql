-- One row per stage transition of the projects of the slice at $month (stage_duration_rows):
-- how many projects made it, the quartiles (linear interpolation), mean, minimum and maximum
-- months, the box-plot whiskers (the most extreme values within 1.5 × IQR of the quartiles)
-- and how many took more than $over_months months.
WITH d AS MATERIALIZED (
    SELECT transition, months
    FROM stage_duration_rows($month, $units, $tiers, $sections, $origins, $categories, $majors)
),
q AS (
    SELECT transition,
           count(*) AS n,
           quantile_cont(months, 0.5) AS median_months,
           quantile_cont(months, 0.25) AS p25_months,
           quantile_cont(months, 0.75) AS p75_months,
           avg(months) AS mean_months,
           min(months) AS min_months,
           max(months) AS max_months,
           count_if(months > $over_months) AS over_count
    FROM d
    GROUP BY transition
)
SELECT q.*,
       min(d.months) FILTER (WHERE d.months >= q.p25_months - 1.5 * (q.p75_months - q.p25_months)) AS lower_fence,
       max(d.months) FILTER (WHERE d.months <= q.p75_months + 1.5 * (q.p75_months - q.p25_months)) AS upper_fence
FROM q JOIN d USING (transition)
GROUP BY ALL;
