-- One row per verifiable milestone (注册/落户/备案/开工/竣工, in that order) over the slice's
-- dated milestones in snapshot $month (docs/domain.md §17): how many are 待核实, 已核实 and 存疑
-- for the date they carry, the total and the verified share (empty when the total is 0).
WITH r AS (
    SELECT milestone, verify_status
    FROM milestone_rows($month, $ref_date, $units, $tiers, $sections, $origins, $categories, $majors)
),
k AS (
    SELECT * FROM (VALUES ('registration', 1), ('settle', 2), ('filing', 3), ('start', 4), ('completion', 5))
        AS t(milestone, milestone_ord)
)
SELECT k.milestone,
       count(r.milestone) FILTER (WHERE r.verify_status = 'pending')  AS pending_count,
       count(r.milestone) FILTER (WHERE r.verify_status = 'verified') AS verified_count,
       count(r.milestone) FILTER (WHERE r.verify_status = 'doubtful') AS doubtful_count,
       count(r.milestone)                                             AS total_count,
       CASE WHEN count(r.milestone) > 0
            THEN count(r.milestone) FILTER (WHERE r.verify_status = 'verified') / count(r.milestone) END
                                                                      AS verified_share
FROM k
LEFT JOIN r USING (milestone)
GROUP BY k.milestone, k.milestone_ord
ORDER BY k.milestone_ord;
