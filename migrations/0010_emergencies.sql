-- Emergencies (seed 004, 第四章 四 紧急事故报警电话处理流程 and 五 5 信息保密制度): an incident report
-- is recorded in detail and relayed to operations at once; the affected customers are found in
-- the customer directory and notified one by one, keeping track of who was and was not reached.

-- Append-only history, for any table that records it (names the table in the error).
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;

-- The customer directory. Phones are kept as given and in normal form (domain/phone.h), in
-- the same order; the normal forms are what calls and notifications match on.
CREATE TABLE customers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_number  text NOT NULL UNIQUE CHECK (length(account_number) BETWEEN 1 AND 64),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phones          text[] NOT NULL DEFAULT '{}',
    phones_norm     text[] NOT NULL DEFAULT '{}',
    address         text,
    area_code       text,
    street          text,
    tags            text[] NOT NULL DEFAULT '{}',
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_by      text NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    CHECK (cardinality(phones) = cardinality(phones_norm))
);
-- Selections for notification lists and directory searches.
CREATE INDEX customers_area_id ON customers (area_code, id);
CREATE INDEX customers_street_id ON customers (street, id);
CREATE INDEX customers_address_prefix ON customers (address text_pattern_ops);
CREATE INDEX customers_phones ON customers USING gin (phones_norm);

CREATE TABLE incidents (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status               text NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'relayed',
                             'acknowledged', 'repairing', 'resolved', 'closed')),
    hazard               text NOT NULL,
    severity             text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    location             text NOT NULL,
    area_code            text,
    street               text,
    description          text NOT NULL,
    reporter_name        text,
    reporter_phone       text,
    reporter_phone_norm  text,
    ticket_id            bigint UNIQUE REFERENCES tickets (id),
    call_id              text,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    version              integer NOT NULL DEFAULT 1,
    relayed_at           timestamptz,
    ack_due_at           timestamptz NOT NULL,
    acknowledged_at      timestamptz,
    acknowledged_by      text,
    repairing_at         timestamptz,
    resolved_at          timestamptz,
    closed_at            timestamptz,
    escalation_level     integer NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 2),
    escalated_at         timestamptz,
    next_due_at          timestamptz
);
-- The sweeper reads only incidents waiting for their acknowledgement.
CREATE INDEX incidents_next_due ON incidents (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX incidents_status_id ON incidents (status, id);

CREATE TABLE incident_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  bigint NOT NULL REFERENCES incidents (id),
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    kind         text NOT NULL,
    before       jsonb,
    after        jsonb,
    note         text
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
CREATE TRIGGER incident_events_no_change BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION append_only();

-- One row per customer to tell, per round: 'alert' (the hazard) and 'all_clear' (it is over).
-- available_at: when a pending row may be claimed (retries wait), or when a claim lapses.
CREATE TABLE incident_notifications (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id      bigint NOT NULL REFERENCES incidents (id),
    round            text NOT NULL CHECK (round IN ('alert', 'all_clear')),
    customer_id      bigint NOT NULL REFERENCES customers (id),
    phones           text[] NOT NULL,
    phones_norm      text[] NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'claimed', 'reached', 'not_reached',
                         'wrong_number', 'declined', 'no_contact')),
    attempts         integer NOT NULL DEFAULT 0,
    available_at     timestamptz,
    claimed_by       text,
    claimed_at       timestamptz,
    last_result      text,
    last_call_id     text,
    last_attempt_at  timestamptz,
    done_at          timestamptz,
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    UNIQUE (incident_id, round, customer_id)
);
-- The claim queue holds only open rows, next available first.
CREATE INDEX incident_notifications_queue ON incident_notifications (incident_id, round, available_at, id)
    WHERE status IN ('pending', 'claimed');
CREATE INDEX incident_notifications_list ON incident_notifications (incident_id, round, status, id);

CREATE TABLE incident_notification_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id  bigint NOT NULL REFERENCES incident_notifications (id),
    at               timestamptz NOT NULL,
    actor            text NOT NULL,
    result           text NOT NULL CHECK (result IN ('reached', 'no_answer', 'wrong_number', 'declined')),
    call_id          text,
    note             text
);
CREATE INDEX incident_notification_attempts_notification ON incident_notification_attempts (notification_id, id);
CREATE TRIGGER incident_notification_attempts_no_change BEFORE UPDATE OR DELETE
    ON incident_notification_attempts FOR EACH ROW EXECUTE FUNCTION append_only();

-- Who read or exported customer data, and who changed it in bulk (信息保密制度).
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    role        text NOT NULL,
    action      text NOT NULL,
    subject     text,
    detail      jsonb NOT NULL DEFAULT '{}',
    request_id  text
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION append_only();
