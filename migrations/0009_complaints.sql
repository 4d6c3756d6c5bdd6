-- Complaints (投诉处理): the complaint record, manager review and the satisfaction loop on
-- tickets; dispatches to other departments (签收, 退单, 改派); extensions (延期) and warnings
-- (预警) before deadlines; who must act after a hand escalation. Expand only: new columns
-- are nullable or defaulted, so the release before keeps working on this schema.

ALTER TABLE tickets
    -- {product, what_happened, customer_wants, handling}: the record the procedures ask for
    ADD COLUMN complaint             jsonb,
    -- the customer-service manager approved the current resolution (cleared when resolved anew)
    ADD COLUMN reviewed_at           timestamptz,
    ADD COLUMN reviewed_by           text,
    -- the last satisfaction callback's result
    ADD COLUMN complaint_outcome     text
        CHECK (complaint_outcome IN ('satisfied', 'unsatisfied', 'unreachable', 'declined')),
    -- when the sweeper warns that a deadline is near (a share of its allowed time)
    ADD COLUMN resolve_warn_at       timestamptz,
    ADD COLUMN relay_warn_at         timestamptz,
    ADD COLUMN callback_warn_at      timestamptz,
    ADD COLUMN next_callback_warn_at timestamptz,
    ADD COLUMN progress_warn_at      timestamptz,
    ADD COLUMN warned                integer NOT NULL DEFAULT 0; -- bits of deadlines warned of

-- The pipeline a supervisor watches, derived from status and review so it can never disagree
-- with them (also for rows written by the release before, which knows nothing of stages).
ALTER TABLE tickets ADD COLUMN complaint_stage text GENERATED ALWAYS AS (
    CASE WHEN kind <> 'complaint' THEN NULL
         WHEN status = 'closed' THEN 'archived'
         WHEN status = 'resolved' AND reviewed_at IS NULL THEN 'awaiting_review'
         WHEN status = 'resolved' THEN 'awaiting_callback'
         ELSE 'handling' END) STORED;
CREATE INDEX tickets_complaint_stage_id ON tickets (complaint_stage, id)
    WHERE complaint_stage IS NOT NULL;

-- One row per contact with another department: when, which, with whom, what was agreed, and
-- what the department did with it.
CREATE TABLE ticket_dispatches (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id       bigint NOT NULL REFERENCES tickets (id),
    department      text NOT NULL CHECK (length(btrim(department)) BETWEEN 1 AND 100),
    contact_person  text NOT NULL CHECK (length(btrim(contact_person)) BETWEEN 1 AND 100),
    agreed          text NOT NULL CHECK (length(btrim(agreed)) BETWEEN 1 AND 2000),
    note            text,
    status          text NOT NULL DEFAULT 'sent'
                    CHECK (status IN ('sent', 'accepted', 'returned', 'replied', 'redispatched')),
    dispatched_at   timestamptz NOT NULL,
    dispatched_by   text NOT NULL,
    accept_due_at   timestamptz NOT NULL,
    overdue_at      timestamptz,            -- not signed for by accept_due_at
    accepted_at     timestamptz,
    accepted_by     text,                   -- the department's person who signed for it
    returned_at     timestamptz,
    returned_by     text,
    return_reason   text,
    replied_at      timestamptz,
    replied_by      text,
    reply           text,
    ruling          text,                   -- a supervisor's ruling on a return
    ruled_by        text,
    ruled_at        timestamptz,
    previous_id     bigint REFERENCES ticket_dispatches (id), -- re-dispatch (改派) of
    next_id         bigint REFERENCES ticket_dispatches (id),
    updated_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX ticket_dispatches_ticket ON ticket_dispatches (ticket_id, id);
-- The sweeper reads only dispatches waiting to be signed for and not yet marked overdue.
CREATE INDEX ticket_dispatches_accept_due ON ticket_dispatches (accept_due_at, id)
    WHERE status = 'sent' AND overdue_at IS NULL;

-- Requests for more time (延期), asked by the owner before the deadline, decided by a supervisor.
CREATE TABLE ticket_extensions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id       bigint NOT NULL REFERENCES tickets (id),
    deadline        text NOT NULL CHECK (deadline IN ('resolve', 'weekly_callback')),
    due_at          timestamptz NOT NULL,   -- the deadline when asked
    until           timestamptz NOT NULL,   -- the deadline asked for
    reason          text NOT NULL CHECK (length(btrim(reason)) >= 1),
    status          text NOT NULL DEFAULT 'requested'
                    CHECK (status IN ('requested', 'approved', 'refused')),
    requested_by    text NOT NULL,
    requested_at    timestamptz NOT NULL,
    decided_by      text,
    decided_at      timestamptz,
    decision_note   text,
    followup_id     bigint REFERENCES followups (id) -- telling the customer of the new deadline
);
CREATE INDEX ticket_extensions_ticket ON ticket_extensions (ticket_id, id);
CREATE UNIQUE INDEX ticket_extensions_one_open ON ticket_extensions (ticket_id)
    WHERE status = 'requested';

-- A hand escalation may name the person who must act now (the sweeper names only the level).
ALTER TABLE ticket_escalations ADD COLUMN assignee text;

-- The rule numbers of this issue, kept beside `rules` rather than in it: the release before
-- reads `rules` and refuses members it does not know, so it must keep seeing exactly its own.
-- The API shows and takes them as members of `rules`. A later release may merge the columns.
ALTER TABLE calendar_settings ADD COLUMN more_rules jsonb NOT NULL DEFAULT
    '{"dispatch_accept_business_minutes":120,"warning_percent":80,"satisfaction_min_score":4}';
