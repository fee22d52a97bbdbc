-- Per-event views of segments, transfers, dispositions, surveys and QA for ad-hoc SQL.
-- They read the event log directly, so they never disagree with it.
CREATE VIEW transfers AS
    SELECT event_id, ts, call_id, agent_id AS by_agent, data->>'mode' AS mode,
           data->>'target_kind' AS target_kind, data->>'target' AS target
    FROM events WHERE kind = 'transfer';
CREATE VIEW dispositions AS
    SELECT event_id, ts, call_id, agent_id, data->>'code' AS code,
           (data->>'resolved')::boolean AS resolved, data->>'notes' AS notes
    FROM events WHERE kind = 'disposition';
CREATE VIEW survey_answers AS
    SELECT event_id, ts, call_id, (data->>'score')::double precision AS score,
           data->>'question' AS question
    FROM events WHERE kind = 'survey_answer';
CREATE VIEW qa_scores AS
    SELECT event_id, ts, call_id, agent_id, (data->>'score')::double precision AS score,
           data->>'by' AS scored_by
    FROM events WHERE kind = 'qa_score';
CREATE VIEW agent_state_changes AS
    SELECT event_id, ts, agent_id, data->>'from' AS from_state, data->>'to' AS to_state,
           data->>'reason' AS reason
    FROM events WHERE kind = 'agent_state';
-- Talk, hold and wrap-up segments: each start paired with the next end of the same kind,
-- call and agent.
CREATE VIEW segments AS
    SELECT s.call_id, s.agent_id, split_part(s.kind, '_started', 1) AS segment,
           s.ts AS started, e.ts AS ended
    FROM events s
    LEFT JOIN LATERAL (
        SELECT x.ts FROM events x
        WHERE x.call_id = s.call_id AND x.agent_id = s.agent_id
          AND x.kind = replace(s.kind, '_started', '_ended') AND x.ts >= s.ts
        ORDER BY x.ts LIMIT 1
    ) e ON true
    WHERE s.kind IN ('talk_started', 'hold_started', 'wrap_up_started');
