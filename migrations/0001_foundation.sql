-- Foundation: API tokens, tickets, their append-only history, idempotency keys.

CREATE TABLE api_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
    role        text NOT NULL CHECK (role IN ('agent', 'supervisor', 'manager', 'cti', 'admin', 'operations')),
    token_hash  text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
-- One active token per name; a revoked name may be issued again.
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE TABLE tickets (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    class             text NOT NULL CHECK (class IN ('general', 'hard', 'special', 'government')),
    kind              text NOT NULL CHECK (kind IN ('inquiry', 'complaint', 'suggestion', 'repair', 'emergency')),
    status            text NOT NULL DEFAULT 'new'
                      CHECK (status IN ('new', 'in_progress', 'relayed', 'resolved', 'closed', 'reopened')),
    subject           text NOT NULL,
    details           text,
    caller_name       text,
    caller_phone      text,
    caller_phone_norm text,
    owner             text NOT NULL,
    department        text,
    call_id           text,
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer NOT NULL DEFAULT 1
);
-- Keyset pages are ordered by id descending; each filter has an index ending in id.
CREATE INDEX tickets_status_id ON tickets (status, id);
CREATE INDEX tickets_class_id ON tickets (class, id);
CREATE INDEX tickets_kind_id ON tickets (kind, id);
CREATE INDEX tickets_owner_id ON tickets (owner, id);
CREATE INDEX tickets_phone_id ON tickets (caller_phone_norm, id) WHERE caller_phone_norm IS NOT NULL;
CREATE INDEX tickets_created_at ON tickets (created_at);

CREATE TABLE ticket_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    kind       text NOT NULL,
    before     jsonb,
    after      jsonb,
    note       text
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- History is append-only: the service never updates or deletes it, and neither may anyone else.
CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket_events is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();

CREATE TABLE idempotency_keys (
    actor         text NOT NULL,
    key           text NOT NULL,
    method        text NOT NULL,
    path          text NOT NULL,
    request_hash  text NOT NULL,
    status        integer,
    response      text,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
