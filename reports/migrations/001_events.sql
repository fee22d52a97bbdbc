-- The append-only event log: the source of truth. Idempotent by event_id.
CREATE TABLE events (
    event_id uuid PRIMARY KEY,
    ts timestamptz NOT NULL,
    kind text NOT NULL,
    call_id text,
    agent_id text,
    queue text,
    data jsonb NOT NULL DEFAULT '{}',
    seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX events_ts ON events USING brin (ts);
CREATE INDEX events_call ON events (call_id);
CREATE INDEX events_seq ON events (seq);
