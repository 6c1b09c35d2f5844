-- One row per project of letter_rows (the completion-overdue rows of one level, §5.6) with the
-- department the letter goes to (docs/domain.md §12: route_by 'category' maps the project's
-- category through $route_keys/$route_depts, 'lead_dept' takes its 牵头部门 first; else
-- $default_dept) and what was recorded (rec_letters: the records that stand) with acted_on <=
-- $ref_date and list month <= $month: reminder letters sent and interviews held, each counted
-- once per list month, the last date of each, and whether this kind was already done for $month.
WITH r AS (
    SELECT project_id, kind, list_month, acted_on, doc_no
    FROM rec_letters
    WHERE acted_on <= $ref_date AND list_month <= $month
),
c AS (
    SELECT project_id,
           count(DISTINCT list_month) FILTER (WHERE kind = 'reminder') AS letters_sent,
           count(DISTINCT list_month) FILTER (WHERE kind = 'interview') AS interviews_held,
           max(acted_on) FILTER (WHERE kind = 'reminder') AS last_letter_on,
           max(acted_on) FILTER (WHERE kind = 'interview') AS last_interview_on,
           bool_or(kind = $kind AND list_month = $month) AS done_this_month,
           (list(doc_no ORDER BY acted_on DESC) FILTER (WHERE kind = $kind AND doc_no IS NOT NULL))[1] AS doc_no
    FROM r
    GROUP BY project_id
)
SELECT l.*,
       CASE WHEN $route_by = 'lead_dept' AND l.lead_dept IS NOT NULL THEN l.lead_dept
            ELSE coalesce(list_extract($route_depts, list_position($route_keys, l.category)), $default_dept)
       END AS route_dept,
       coalesce(c.letters_sent, 0) AS letters_sent,
       coalesce(c.interviews_held, 0) AS interviews_held,
       c.last_letter_on, c.last_interview_on,
       coalesce(c.done_this_month, false) AS done_this_month,
       c.doc_no
FROM letter_rows AS l
LEFT JOIN c USING (project_id)
ORDER BY route_dept, l.planned_completed_on, l.project_id;
