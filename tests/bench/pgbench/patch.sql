-- PATCH /tickets/{id} {"details": ...} without If-Match: api/tickets.c patch_tx in
-- db_transaction (BEGIN, q_get_lock, q_update, COMMIT). Flags of unchanged fields are false;
-- hotlined sends NULL for some of their values, pgbench cannot, and those branches are not taken.
\set id random(1, :max_id)
-- auth: store_token_find (service/store/tokens.c), once per request
SELECT name, role FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL;
BEGIN;
SELECT row_to_json(x)::text AS json, x.version FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM tickets t WHERE t.id = :id FOR UPDATE) x;
WITH t AS (UPDATE tickets SET class = CASE WHEN :f::bool THEN :class ELSE class END, kind = CASE WHEN :f::bool THEN :kind ELSE kind END, subject = CASE WHEN :f::bool THEN :subject ELSE subject END, details = CASE WHEN :tr::bool THEN :details ELSE details END, caller_name = CASE WHEN :f::bool THEN :caller_name ELSE caller_name END, caller_phone = CASE WHEN :f::bool THEN :caller_name ELSE caller_phone END, caller_phone_norm = CASE WHEN :f::bool THEN :caller_name ELSE caller_phone_norm END, department = CASE WHEN :f::bool THEN :department ELSE department END, updated_at = :at::timestamptz, version = version + 1 WHERE id = :id RETURNING *), e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after) SELECT t.id, :at::timestamptz, :agent, :evkind, :diff::jsonb -> 'before', :diff::jsonb -> 'after' FROM t) SELECT row_to_json(x)::text AS json FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM t) x;
COMMIT;
