-- One row per project in snapshot $month: the milestone dates reached by its as-of date and
-- whether it left the library (达效退库 counts as reaching every milestone, docs/domain.md §4.1),
-- used to score earlier forecasts in the back-test (docs/forecast.md).
SELECT
    project_id, as_of,
    CASE WHEN started_on    <= as_of THEN started_on    END AS started_on,
    CASE WHEN completed_on  <= as_of THEN completed_on  END AS completed_on,
    CASE WHEN production_on <= as_of THEN production_on END AS production_on,
    CASE WHEN capacity_on   <= as_of THEN capacity_on   END AS capacity_on,
    CASE WHEN achieved_exit THEN exit_on END AS achieved_on
FROM month_projects($month)
ORDER BY project_id;
