-- Quarter-hour rollups of the fact tables: the report sums these buckets instead of rows per
-- call. Filled by reports.rollup for the buckets listed in rollup_dirty. The visit and call
-- rollups hold the threshold-dependent sums for the thresholds in rollup_params; reports with
-- other thresholds (or breakdowns by agent or team) read the fact tables. Agent columns are
-- integer: one agent's time in a quarter hour is at most 900 s (9e8 us), and sum(integer)
-- is much cheaper than sum(bigint), which goes through numeric.
-- The projection reads each agent's state changes; without this it scans the whole log per agent.
CREATE INDEX events_agent_state ON events (agent_id, ts) WHERE kind = 'agent_state';

CREATE TABLE rollup_params (
    id integer PRIMARY KEY CHECK (id = 1),
    t_us bigint NOT NULL,
    s_us bigint NOT NULL,
    cadence_us bigint NOT NULL,
    fcr_window_us bigint NOT NULL
);
INSERT INTO rollup_params VALUES (1, 20000000, 5000000, 6000000, 86400000000);

CREATE TABLE rollup_dirty (
    bucket_us bigint PRIMARY KEY
);

CREATE TABLE visit_quarters (
    bucket_us bigint NOT NULL,
    queue text NOT NULL,
    call_class text NOT NULL,
    offered bigint,
    blocked_visits bigint,
    queued bigint,
    wait_sum bigint,
    wait_max bigint,
    answered bigint,
    ans_le_t bigint,
    ans_wait_sum bigint,
    abandoned bigint,
    short_abandoned bigint,
    aband_long bigint,
    aband_long_wait_sum bigint,
    aband_le_t bigint,
    timeout bigint,
    exit_key bigint,
    overflow bigint,
    callback_requested bigint,
    rung_sum bigint,
    rings_sum bigint,
    rona bigint,
    talk_sum bigint,
    hold_sum bigint,
    hold_count bigint,
    held bigint,
    acw_sum bigint,
    transferred bigint,
    t_blind bigint,
    t_attended bigint,
    t_queue bigint,
    t_agent bigint,
    t_external bigint,
    qa_n bigint,
    qa_sum double precision
);
CREATE INDEX visit_quarters_bucket ON visit_quarters (bucket_us);

CREATE TABLE call_quarters (
    bucket_us bigint NOT NULL,
    primary_queue text,
    call_class text NOT NULL,
    total bigint,
    blocked bigint,
    ivr_only bigint,
    answered bigint,
    abandoned bigint,
    fcr_pos bigint,
    survey_offered bigint,
    survey_responded bigint,
    survey_n bigint,
    survey_sum double precision,
    callbacks_requested bigint,
    callbacks_delivered bigint
);
CREATE INDEX call_quarters_bucket ON call_quarters (bucket_us);

CREATE TABLE agent_quarters (
    bucket_us bigint NOT NULL,
    agent_id text NOT NULL,
    s_available integer,
    s_reserved integer,
    s_ringing integer,
    s_on_call integer,
    s_on_hold integer,
    s_wrap_up integer,
    s_paused integer,
    logged_in integer,
    handled integer,
    work_sum integer,
    rona integer,
    rings integer,
    qa_n integer,
    qa_sum double precision
);
CREATE INDEX agent_quarters_bucket ON agent_quarters (bucket_us);

-- Facts projected before this migration: their buckets are filled by the next projection.
INSERT INTO rollup_dirty
SELECT DISTINCT q FROM (
    SELECT enter_us - mod(enter_us, 900000000) AS q FROM queue_visits
    UNION ALL SELECT attr_us - mod(attr_us, 900000000) FROM calls
    UNION ALL SELECT start_us - mod(start_us, 900000000) FROM ring_attempts
    UNION ALL SELECT start_us - mod(start_us, 900000000) FROM agent_intervals
) b;
