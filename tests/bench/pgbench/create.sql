-- POST /tickets without Idempotency-Key: what hotlined sends, statement for statement
-- (service/http/auth.c, service/store/tickets.c q_create). Variables: -D hash, agent, at,
-- subject, details, caller_name, department.
\set p random(13900000000, 13999999999)
\set norm 8600000000000 + :p
\set call random(1, 1000000000)
-- auth: store_token_find (service/store/tokens.c), once per request
SELECT name, role FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL;
-- store_ticket_create: the ticket and its "created" event in one statement
WITH t AS (INSERT INTO tickets (class, kind, subject, details, caller_name, caller_phone, caller_phone_norm, owner, department, call_id, created_by, created_at, updated_at) VALUES (:class, :kind, :subject, :details, :caller_name, :p, :norm, :agent, :department, :call, :agent, :at::timestamptz, :at::timestamptz) RETURNING *), e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after) SELECT t.id, t.created_at, t.created_by, 'created', to_jsonb(t) - 'version' FROM t) SELECT row_to_json(x)::text AS json FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM t) x;
