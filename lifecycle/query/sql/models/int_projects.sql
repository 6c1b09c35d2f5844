-- One row per project per snapshot month, with derived state as of that month:
-- stage (last milestone reached), tier band, in-library flag, and investment in 亿元.
CREATE OR REPLACE VIEW int_projects AS
SELECT
    s.*,
    CASE
        WHEN capacity_on   <= as_of THEN 'at_capacity'
        WHEN production_on <= as_of THEN 'producing'
        WHEN completed_on  <= as_of THEN 'completed'
        WHEN started_on    <= as_of THEN 'started'
        WHEN filed_on      <= as_of THEN 'filed'
        WHEN signing_type = 'formal' THEN 'signed'
        ELSE 'intent'
    END AS stage,
    CASE
        WHEN capacity_on   <= as_of THEN 6
        WHEN production_on <= as_of THEN 5
        WHEN completed_on  <= as_of THEN 4
        WHEN started_on    <= as_of THEN 3
        WHEN filed_on      <= as_of THEN 2
        WHEN signing_type = 'formal' THEN 1
        ELSE 0
    END AS stage_rank,
    CASE
        WHEN total_investment_wan IS NULL THEN 'unknown'
        WHEN total_investment_wan <  10000 THEN 'lt1'
        WHEN total_investment_wan < 100000 THEN '1to10'
        WHEN total_investment_wan < 300000 THEN '10to30'
        WHEN total_investment_wan < 500000 THEN '30to50'
        WHEN total_investment_wan < 1000000 THEN '50to100'
        ELSE 'ge100'
    END AS tier_band,
    (exit_on IS NULL OR exit_on > as_of) AS in_library,
    (exit_reason = 'achieved' AND exit_on <= as_of) AS achieved_exit,
    total_investment_wan / 10000.0 AS total_investment_yi
FROM stg_projects AS s;
