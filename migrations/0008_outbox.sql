-- Effects outside the database go through a transactional outbox: webhook subscriptions
-- (government relay recipients, operations, supervisors' chat) and one row per delivery,
-- written in the same transaction as the change that causes it, delivered at least once.

CREATE TABLE webhooks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url         text NOT NULL CHECK (url ~ '^https?://'),
    secret      text NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
    events      text[] NOT NULL CHECK (cardinality(events) >= 1),
    description text,
    active      boolean NOT NULL DEFAULT true,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX webhooks_events ON webhooks USING gin (events) WHERE active;

CREATE TABLE outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      text NOT NULL UNIQUE,          -- sent as X-Hotline-Delivery; receivers de-duplicate on it
    event            text NOT NULL,                 -- e.g. government.relay, ticket.overdue
    webhook_id       bigint NOT NULL REFERENCES webhooks (id),
    subject_type     text NOT NULL,                 -- ticket, followup, call, incident
    subject_id       bigint NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL,
    delivered_at     timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_subject ON outbox (subject_type, subject_id, id);

CREATE TABLE outbox_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id    bigint NOT NULL REFERENCES outbox (id),
    at           timestamptz NOT NULL,
    http_status  integer,
    error        text,
    duration_ms  integer NOT NULL
);
CREATE INDEX outbox_attempts_outbox ON outbox_attempts (outbox_id, id);
