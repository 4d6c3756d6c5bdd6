-- The duty rules: the business calendar, deadlines on tickets, overdue marks and escalations.

CREATE TABLE calendar_settings (
    id              integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    zone            text NOT NULL,
    working_days    integer[] NOT NULL DEFAULT '{1,2,3,4,5}',   -- 0 = Sunday
    opens           time NOT NULL DEFAULT '09:00',
    closes          time NOT NULL DEFAULT '18:00',
    lunch_start     time NOT NULL DEFAULT '12:00',
    lunch_end       time NOT NULL DEFAULT '14:00',
    calling_windows jsonb NOT NULL DEFAULT '[{"start":"09:00","end":"12:00"},{"start":"14:00","end":"17:00"}]',
    rules           jsonb NOT NULL DEFAULT '{"general_days":1,"hard_days":2,"special_callback_days":7,
                        "government_relay_minutes":15,"government_callback_minutes":60,
                        "complaint_notice_hours":24,"escalation_delay_minutes":240}',
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text NOT NULL DEFAULT 'migration'
);
-- The zone starts as the migrating process's HOTLINE_TZ (hotlined sets the session TimeZone).
INSERT INTO calendar_settings (zone) VALUES (current_setting('TimeZone'));

CREATE TABLE calendar_days (
    day         date PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    updated_at  timestamptz NOT NULL,
    updated_by  text NOT NULL
);

ALTER TABLE tickets
    ADD COLUMN resolve_due_at        timestamptz,
    ADD COLUMN relay_due_at          timestamptz,
    ADD COLUMN relayed_at            timestamptz,
    ADD COLUMN callback_due_at       timestamptz,
    ADD COLUMN called_back_at        timestamptz,
    ADD COLUMN next_callback_due_at  timestamptz,
    ADD COLUMN progress_due_at       timestamptz,
    ADD COLUMN deadline_rules        jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN breached              integer NOT NULL DEFAULT 0,
    ADD COLUMN overdue               boolean NOT NULL DEFAULT false,
    ADD COLUMN overdue_since         timestamptz,
    ADD COLUMN escalation_level      integer NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 2),
    ADD COLUMN escalated_at          timestamptz,
    ADD COLUMN next_escalation_at    timestamptz,
    ADD COLUMN next_due_at           timestamptz,
    ADD COLUMN resolved_at           timestamptz,
    ADD COLUMN closed_at             timestamptz,
    ADD COLUMN reopen_count          integer NOT NULL DEFAULT 0;

-- The sweeper reads only tickets with something due: its cost follows due work, not all tickets.
CREATE INDEX tickets_next_due ON tickets (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX tickets_overdue_id ON tickets (id) WHERE overdue;
CREATE INDEX tickets_escalation_id ON tickets (escalation_level, id) WHERE escalation_level > 0;

CREATE TABLE ticket_escalations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets (id),
    at          timestamptz NOT NULL,
    from_level  integer NOT NULL,
    to_level    integer NOT NULL CHECK (to_level BETWEEN 0 AND 2),
    must_act    text NOT NULL,
    reason      text NOT NULL,
    actor       text NOT NULL
);
CREATE INDEX ticket_escalations_ticket ON ticket_escalations (ticket_id, id);
