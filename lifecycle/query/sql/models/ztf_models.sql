-- Table macros for the 招推服 views (docs/domain.md §2.3, §7.3–7.5): phases with lead
-- departments, the yearly targets, the 新增长点培育库 and the yearly project evaluation.
-- <slice> = units, tiers, sections, origins, categories, majors (see sliced.sql).
--
-- stage_on(stage, …milestones): the date a project reached `stage` (the clock start of a phase
-- entered at that stage). 意向 counts from the first signing (the kept intent date, else the
-- signing date); 立项 from the filing or, for a project that needed none, from its start.
CREATE OR REPLACE MACRO stage_on(s, intent_signed_on, signed_on, filed_on, started_on, completed_on,
                                 production_on, capacity_on) AS
    CASE s
        WHEN 'intent' THEN coalesce(intent_signed_on, signed_on)
        WHEN 'signed' THEN signed_on
        WHEN 'filed' THEN coalesce(filed_on, started_on)
        WHEN 'started' THEN started_on
        WHEN 'completed' THEN completed_on
        WHEN 'producing' THEN production_on
        WHEN 'at_capacity' THEN capacity_on
    END;

-- phase_rows(m, <slice>, phase_keys, phase_entries, phase_limits, phase_done, map_stages,
-- map_phase_ord): one row per in-library project of the slice at snapshot month m whose current
-- stage belongs to a configured phase. The phases come as parallel lists in their order
-- (phase_ord = position, 1-based); map_stages/map_phase_ord say which phase each stage is in.
-- phase_entry_on = stage_on(the phase's entry stage); months_in_phase = days / 30.4375 (display);
-- overdue = phase_entry_on + limit months < as_of ("more than N months", calendar months,
-- clamped to month end), never for a project at the phase's done stage (达产达效 ends the
-- lifecycle); a project without an entry date is not overdue.
CREATE OR REPLACE MACRO phase_rows(m, units, tiers, sections, origins, categories, majors,
                                   phase_keys, phase_entries, phase_limits, phase_done,
                                   map_stages, map_phase_ord) AS TABLE
WITH ph AS (
    SELECT unnest(phase_keys) AS phase, unnest(phase_entries) AS entry_stage,
           unnest(phase_limits) AS limit_months, unnest(phase_done) AS done_stage,
           generate_subscripts(phase_keys, 1) AS phase_ord
),
sm AS (SELECT unnest(map_stages) AS stage, unnest(map_phase_ord) AS phase_ord),
p AS (
    SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors) WHERE in_library
),
r AS (
    SELECT p.*, ph.phase, ph.phase_ord, ph.limit_months, ph.done_stage,
           stage_on(ph.entry_stage, p.intent_signed_on, p.signed_on, p.filed_on, p.started_on,
                    p.completed_on, p.production_on, p.capacity_on) AS phase_entry_on
    FROM p JOIN sm USING (stage) JOIN ph USING (phase_ord)
)
SELECT *,
       date_diff('day', phase_entry_on, as_of) / 30.4375 AS months_in_phase,
       (stage IS DISTINCT FROM done_stage AND phase_entry_on IS NOT NULL
        AND phase_entry_on + to_months(limit_months) < as_of) AS overdue,
       CASE WHEN stage IS DISTINCT FROM done_stage AND phase_entry_on + to_months(limit_months) < as_of
            THEN date_diff('day', phase_entry_on + to_months(limit_months), as_of) / 30.4375 END AS months_over
FROM r;

-- handover_rows(m, d_from, <slice>, phase_keys, phase_entries): one row per project of the slice
-- at snapshot month m (in the library at m) × phase boundary it crossed in [d_from, as_of]: the
-- entry date of phase k (k >= 2) falls in the window, so the lead passed from phase k-1's
-- department to phase k's. A project crossing two boundaries in the window has two rows.
CREATE OR REPLACE MACRO handover_rows(m, d_from, units, tiers, sections, origins, categories, majors,
                                      phase_keys, phase_entries) AS TABLE
WITH ph AS (
    SELECT unnest(phase_keys) AS phase, unnest(phase_entries) AS entry_stage,
           generate_subscripts(phase_keys, 1) AS phase_ord
),
p AS (
    SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors) WHERE in_library
),
r AS (
    SELECT p.*, ph.phase_ord AS to_ord, ph.phase AS to_phase,
           stage_on(ph.entry_stage, p.intent_signed_on, p.signed_on, p.filed_on, p.started_on,
                    p.completed_on, p.production_on, p.capacity_on) AS handover_on
    FROM p CROSS JOIN ph
    WHERE ph.phase_ord >= 2
)
SELECT r.*, f.phase AS from_phase, f.phase_ord AS from_ord
FROM r JOIN ph AS f ON f.phase_ord = r.to_ord - 1
WHERE r.handover_on BETWEEN d_from AND r.as_of;

-- target_rows(m, y_start, land_days, <slice>): one row per project of the slice at snapshot
-- month m (exited included) × yearly count it enters in year(m), year to date (docs/domain.md §7.3):
--   land_to_start     started_on in [y_start, as_of], land_acquired_on present and
--                     0 <= started_on - land_acquired_on <= land_days (both ends included);
--   joint_acceptance  completed_on in [y_start, as_of] with joint_acceptance = true;
--   above_scale       above_scale_on in [y_start, as_of] (新入规; no target).
CREATE OR REPLACE MACRO target_rows(m, y_start, land_days, units, tiers, sections, origins, categories, majors) AS TABLE
WITH p AS (SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors)),
k AS (SELECT * FROM (VALUES ('land_to_start', 1), ('joint_acceptance', 2), ('above_scale', 3)) AS t(target_key, target_ord))
SELECT k.target_key, k.target_ord, p.project_id, p.name, p.enterprise, p.unit_code, p.unit_name,
       p.total_investment_wan, p.stage, p.in_library,
       CASE k.target_key WHEN 'land_to_start' THEN p.started_on
                         WHEN 'joint_acceptance' THEN p.completed_on
                         ELSE p.above_scale_on END AS event_on,
       p.land_acquired_on, p.started_on, p.completed_on, p.joint_acceptance, p.above_scale_on,
       date_diff('day', p.land_acquired_on, p.started_on) AS days_land_to_start, p.as_of
FROM p CROSS JOIN k
WHERE CASE k.target_key
        WHEN 'land_to_start' THEN p.started_on BETWEEN y_start AND p.as_of
                                  AND p.land_acquired_on IS NOT NULL
                                  AND date_diff('day', p.land_acquired_on, p.started_on) BETWEEN 0 AND land_days
        WHEN 'joint_acceptance' THEN p.completed_on BETWEEN y_start AND p.as_of AND coalesce(p.joint_acceptance, false)
        ELSE p.above_scale_on BETWEEN y_start AND p.as_of
      END;

-- ops12(m, m_from): one row per project with operations reported in snapshot m for operating
-- months m_from..m (the trailing 12 months, docs/domain.md §4.4): sums, mean utilisation and the
-- number of months reported.
CREATE OR REPLACE MACRO ops12(m, m_from) AS TABLE
SELECT project_id,
       sum(output_value_wan) AS output_12m_wan, sum(tax_wan) AS tax_12m_wan,
       sum(invoiced_sales_wan) AS sales_12m_wan, sum(electricity_mwh) AS electricity_12m_mwh,
       avg(capacity_utilization) AS utilization_avg, count(*) AS ops_months
FROM stg_operations
WHERE snapshot_month = m AND strftime(month, '%Y-%m') BETWEEN m_from AND m
GROUP BY project_id;

-- evaluation_rows(m, m_from, <slice>, benchmarks…, weights…, grade thresholds): one row per
-- in-library project of the slice producing by as_of (docs/domain.md §7.5). Indicators:
-- 亩均税收 / 亩均产出 = trailing-12-month tax / output ÷ land (empty without land or without
-- operations), tax_vs_designed = trailing-12-month tax ÷ designed_tax_wan (empty without a
-- designed tax or without operations), intensity = total investment ÷ land. Each score =
-- clamp(value / benchmark, 0, 1) × 100 (empty when the value is: DuckDB's least/greatest skip
-- NULLs); score = weighted mean over the present scores (weights
-- renormalised); grade A/B/C/D by score >= grade_a / grade_b / grade_c (rounded to 9 decimals),
-- else D; no indicator at all: no score, no grade.
CREATE OR REPLACE MACRO evaluation_rows(m, m_from, units, tiers, sections, origins, categories, majors,
                                        b_tax, b_output, b_designed, b_intensity,
                                        w_tax, w_output, w_designed, w_intensity,
                                        grade_a, grade_b, grade_c) AS TABLE
WITH p AS (
    SELECT * FROM sliced(m, units, tiers, sections, origins, categories, majors)
    WHERE in_library AND production_on <= as_of
),
x AS (
    SELECT p.project_id, p.name, p.enterprise, p.unit_code, p.unit_name, p.category, p.stage,
           p.total_investment_wan, p.land_area_mu, p.designed_tax_wan, p.production_on,
           o.output_12m_wan, o.tax_12m_wan, o.ops_months,
           CASE WHEN p.land_area_mu > 0 AND o.project_id IS NOT NULL THEN coalesce(o.tax_12m_wan, 0) / p.land_area_mu END AS tax_per_mu,
           CASE WHEN p.land_area_mu > 0 AND o.project_id IS NOT NULL THEN coalesce(o.output_12m_wan, 0) / p.land_area_mu END AS output_per_mu,
           CASE WHEN p.designed_tax_wan > 0 AND o.project_id IS NOT NULL THEN coalesce(o.tax_12m_wan, 0) / p.designed_tax_wan END AS tax_vs_designed,
           CASE WHEN p.land_area_mu > 0 THEN p.total_investment_wan / p.land_area_mu END AS intensity
    FROM p LEFT JOIN ops12(m, m_from) AS o USING (project_id)
),
s AS (
    SELECT *,
           CASE WHEN tax_per_mu IS NOT NULL THEN greatest(least(tax_per_mu / b_tax, 1), 0) * 100 END AS score_tax_per_mu,
           CASE WHEN output_per_mu IS NOT NULL THEN greatest(least(output_per_mu / b_output, 1), 0) * 100 END AS score_output_per_mu,
           CASE WHEN tax_vs_designed IS NOT NULL THEN greatest(least(tax_vs_designed / b_designed, 1), 0) * 100 END AS score_tax_vs_designed,
           CASE WHEN intensity IS NOT NULL THEN greatest(least(intensity / b_intensity, 1), 0) * 100 END AS score_intensity
    FROM x
),
t AS (
    SELECT *,
           (coalesce(score_tax_per_mu * w_tax, 0) + coalesce(score_output_per_mu * w_output, 0)
            + coalesce(score_tax_vs_designed * w_designed, 0) + coalesce(score_intensity * w_intensity, 0))
           / nullif((score_tax_per_mu IS NOT NULL)::INTEGER * w_tax + (score_output_per_mu IS NOT NULL)::INTEGER * w_output
                    + (score_tax_vs_designed IS NOT NULL)::INTEGER * w_designed
                    + (score_intensity IS NOT NULL)::INTEGER * w_intensity, 0) AS score
    FROM s
)
SELECT *,
       CASE WHEN score IS NULL THEN NULL
            WHEN round(score, 9) >= grade_a THEN 'A'
            WHEN round(score, 9) >= grade_b THEN 'B'
            WHEN round(score, 9) >= grade_c THEN 'C'
            ELSE 'D' END AS grade
FROM t;
