-- One row per configured phase (in order, also when empty) for the slice at $month: in-library
-- projects in it, their total investment, how many are overdue, how many finished the lifecycle
-- (its done stage), and the hand-overs of the month ($month_start..as-of): projects that
-- entered the phase from the previous one (handed_in) and left it for the next (handed_out).
WITH ph AS (
    SELECT unnest($phase_keys) AS phase, generate_subscripts($phase_keys, 1) AS phase_ord
),
r AS (
    SELECT phase_ord, count(*) AS count, sum(total_investment_wan) AS total_investment_wan,
           count(*) FILTER (WHERE overdue) AS overdue_count,
           count(*) FILTER (WHERE stage = done_stage) AS done_count
    FROM phase_rows($month, $units, $tiers, $sections, $origins, $categories, $majors, $phase_keys, $phase_entries, $phase_limits, $phase_done, $map_stages, $map_phase_ord)
    GROUP BY phase_ord
),
h AS (
    SELECT to_ord, from_ord FROM handover_rows($month, $month_start, $units, $tiers, $sections, $origins,
                                               $categories, $majors, $phase_keys, $phase_entries)
)
SELECT ph.phase, ph.phase_ord, coalesce(r.count, 0) AS count,
       coalesce(r.total_investment_wan, 0) AS total_investment_wan,
       coalesce(r.overdue_count, 0) AS overdue_count, coalesce(r.done_count, 0) AS done_count,
       (SELECT count(*) FROM h WHERE h.to_ord = ph.phase_ord) AS handed_in,
       (SELECT count(*) FROM h WHERE h.from_ord = ph.phase_ord) AS handed_out
FROM ph LEFT JOIN r USING (phase_ord)
ORDER BY ph.phase_ord;
