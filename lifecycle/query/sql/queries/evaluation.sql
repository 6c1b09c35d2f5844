-- One row per in-library producing project of the slice at $month with its yearly evaluation
-- (docs/domain.md §7.5: trailing-12-month indicators, scores, composite score, grade),
-- optionally only grade $grade. Rules: ztf_models.sql evaluation_rows.
SELECT grade, score, project_id, name, enterprise, unit_code, unit_name, category, total_investment_wan,
       land_area_mu, production_on, tax_12m_wan, output_12m_wan, designed_tax_wan,
       tax_per_mu, output_per_mu, tax_vs_designed, intensity,
       score_tax_per_mu, score_output_per_mu, score_tax_vs_designed, score_intensity, ops_months
FROM evaluation_rows($month, $month_from, $units, $tiers, $sections, $origins, $categories, $majors, $b_tax, $b_output, $b_designed, $b_intensity, $w_tax, $w_output, $w_designed, $w_intensity, $grade_a, $grade_b, $grade_c)
WHERE $grade IS NULL OR grade = $grade
ORDER BY score DESC NULLS LAST, project_id;
