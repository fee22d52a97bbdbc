-- Facts projected from events by reports.projection (rebuilt per call / per agent).
CREATE TABLE calls (
    call_id text PRIMARY KEY,
    start_us bigint NOT NULL,
    end_us bigint,
    ani text NOT NULL,
    dnis text NOT NULL,
    call_class text NOT NULL,
    primary_queue text,
    attr_us bigint NOT NULL,
    agent_id text,
    ivr_only boolean NOT NULL,
    blocked boolean NOT NULL,
    answered boolean NOT NULL,
    abandoned boolean NOT NULL,
    unresolved boolean NOT NULL,
    survey_offered boolean NOT NULL,
    survey_n integer NOT NULL,
    survey_sum double precision NOT NULL,
    callbacks_requested integer NOT NULL,
    callbacks_delivered integer NOT NULL,
    hangup_by text,
    next_ani_us bigint
);
CREATE INDEX calls_attr ON calls (attr_us);
CREATE INDEX calls_ani ON calls (ani, start_us);

CREATE TABLE queue_visits (
    call_id text NOT NULL,
    visit_no integer NOT NULL,
    queue text NOT NULL,
    call_class text NOT NULL,
    enter_us bigint NOT NULL,
    outcome text NOT NULL,
    wait_us bigint NOT NULL,
    offer_delay_us bigint,
    agent_id text,
    rung integer NOT NULL,
    ring_us bigint NOT NULL,
    rona integer NOT NULL,
    talk_us bigint NOT NULL,
    hold_us bigint NOT NULL,
    hold_count integer NOT NULL,
    acw_us bigint NOT NULL,
    t_blind smallint NOT NULL,
    t_attended smallint NOT NULL,
    t_queue smallint NOT NULL,
    t_agent smallint NOT NULL,
    t_external smallint NOT NULL,
    qa_n integer NOT NULL,
    qa_sum double precision NOT NULL,
    PRIMARY KEY (call_id, visit_no)
);
CREATE INDEX queue_visits_enter ON queue_visits (enter_us);

CREATE TABLE ring_attempts (
    call_id text NOT NULL,
    agent_id text NOT NULL,
    queue text,
    start_us bigint NOT NULL,
    dur_us bigint NOT NULL,
    result text NOT NULL
);
CREATE INDEX ring_attempts_call ON ring_attempts (call_id);
CREATE INDEX ring_attempts_start ON ring_attempts (start_us);

-- Agent state timeline, split at quarter-hour boundaries (no row crosses one).
CREATE TABLE agent_intervals (
    agent_id text NOT NULL,
    state text NOT NULL,
    reason text NOT NULL,
    start_us bigint NOT NULL,
    end_us bigint NOT NULL,
    iv_end_us bigint NOT NULL  -- end of the unsplit interval (the next state change)
);
CREATE INDEX agent_intervals_agent ON agent_intervals (agent_id, iv_end_us);
CREATE INDEX agent_intervals_start ON agent_intervals (start_us);

CREATE TABLE agents (
    agent_id text PRIMARY KEY,
    team text
);

CREATE TABLE projection_state (
    id integer PRIMARY KEY CHECK (id = 1),
    last_seq bigint NOT NULL
);
INSERT INTO projection_state VALUES (1, 0);
