-- Calls: the raw events phone systems post (append-only, deduplicated by the CTI's own ids) and
-- the call record derived from all events of a call so far. The record is recomputed from the
-- events on every new event, so the order in which they arrive does not matter.

CREATE TABLE call_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id        text NOT NULL CHECK (length(call_id) BETWEEN 1 AND 255),
    -- 'id:' || event_id, or 'at:' || event || ':' || microseconds when the CTI gave no id.
    dedup_key      text NOT NULL,
    event_id       text CHECK (length(event_id) BETWEEN 1 AND 255),
    event          text NOT NULL CHECK (event IN ('offered', 'ringing', 'answered', 'transferred', 'hangup')),
    at             timestamptz NOT NULL,
    direction      text CHECK (direction IN ('inbound', 'outbound')),
    from_number    text,
    from_norm      text,
    to_number      text,
    to_norm        text,
    agent          text,
    queue          text,
    cause          text CHECK (cause IN ('normal', 'busy', 'no_answer', 'abandoned', 'rejected', 'failed', 'transferred')),
    parent_call_id text,
    source         text NOT NULL CHECK (source IN ('events', 'zammad')),
    received_by    text NOT NULL,
    received_at    timestamptz NOT NULL,
    UNIQUE (call_id, dedup_key)
);

CREATE FUNCTION call_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'call_events is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER call_events_no_change BEFORE UPDATE OR DELETE ON call_events
    FOR EACH ROW EXECUTE FUNCTION call_events_append_only();

CREATE TABLE calls (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id                   text NOT NULL UNIQUE CHECK (length(call_id) BETWEEN 1 AND 255),
    parent_call_id            text,
    direction                 text CHECK (direction IN ('inbound', 'outbound')),
    from_number               text,
    from_norm                 text,
    to_number                 text,
    to_norm                   text,
    agent                     text,
    queue                     text,
    state                     text NOT NULL CHECK (state IN ('ringing', 'talking', 'ended')),
    outcome                   text CHECK (outcome IN ('answered', 'abandoned', 'missed', 'failed', 'transferred')),
    cause                     text,
    offered_at                timestamptz NOT NULL,
    answered_at               timestamptz,
    transferred_at            timestamptz,
    ended_at                  timestamptz,
    ring_seconds              numeric(12, 3),
    talk_seconds              numeric(12, 3),
    answered_within_threshold boolean,
    event_count               integer NOT NULL,
    -- the pending missed_call task this call created or joined (NULL once the call is answered)
    followup_id               bigint REFERENCES followups (id),
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    CHECK ((state = 'ended') = (outcome IS NOT NULL))
);
-- Lists are newest first by offered_at; each filter has an index ending in (offered_at, id).
CREATE INDEX calls_offered ON calls (offered_at, id);
CREATE INDEX calls_from ON calls (from_norm, offered_at, id) WHERE from_norm IS NOT NULL;
-- The customer's number is the caller of an inbound call or the callee of an outbound one.
CREATE INDEX calls_to ON calls (to_norm, offered_at, id) WHERE direction = 'outbound';
CREATE INDEX calls_agent ON calls (agent, offered_at, id) WHERE agent IS NOT NULL;
CREATE INDEX calls_outcome ON calls (outcome, offered_at, id);
CREATE INDEX calls_parent ON calls (parent_call_id) WHERE parent_call_id IS NOT NULL;
-- The calls a missed-call task stands for (closing it asks for the latest one).
CREATE INDEX calls_followup ON calls (followup_id, offered_at) WHERE followup_id IS NOT NULL;

-- A call's tickets, and the missed-call task a call created.
CREATE INDEX tickets_call_id ON tickets (call_id, id) WHERE call_id IS NOT NULL;
CREATE INDEX followups_source_call ON followups (source_call_id) WHERE source_call_id IS NOT NULL;
