-- Follow-ups (回访): outbound call tasks. Created by the rules (weekly callbacks, complaint
-- progress notices and satisfaction callbacks, government callbacks), by missed calls, and by
-- hand (a time agreed with the customer). Each attempt is kept.

CREATE TABLE followups (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('progress_notice', 'satisfaction', 'weekly_callback',
                       'government_callback', 'missed_call', 'agreed_callback', 'custom')),
    ticket_id      bigint REFERENCES tickets (id),
    phone          text,
    phone_norm     text,
    due_at         timestamptz NOT NULL,
    agent          text,
    agent_group    text,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled', 'failed')),
    attempts       integer NOT NULL DEFAULT 0,
    outcome        text CHECK (outcome IN ('reached', 'no_answer', 'busy', 'declined', 'wrong_number')),
    satisfaction   integer CHECK (satisfaction BETWEEN 1 AND 5),
    notes          text,
    source_call_id text,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    closed_at      timestamptz,
    version        integer NOT NULL DEFAULT 1,
    CHECK (ticket_id IS NOT NULL OR kind IN ('missed_call', 'custom'))
);
-- An agent's list and the sweeper's due queue read only pending rows, most urgent first.
CREATE INDEX followups_pending_due ON followups (due_at, id) WHERE status = 'pending';
CREATE INDEX followups_pending_agent ON followups (agent, due_at, id) WHERE status = 'pending';
CREATE INDEX followups_phone ON followups (phone_norm, id) WHERE phone_norm IS NOT NULL;
CREATE INDEX followups_ticket ON followups (ticket_id, id) WHERE ticket_id IS NOT NULL;

CREATE TABLE followup_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    followup_id  bigint NOT NULL REFERENCES followups (id),
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'busy', 'declined', 'wrong_number')),
    satisfaction integer CHECK (satisfaction BETWEEN 1 AND 5),
    notes        text,
    call_id      text
);
CREATE INDEX followup_attempts_followup ON followup_attempts (followup_id, id);
