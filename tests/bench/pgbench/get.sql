-- GET /tickets/{id}: what hotlined sends (service/http/auth.c, service/store/tickets.c q_get).
\set id random(1, :max_id)
-- auth: store_token_find (service/store/tokens.c), once per request
SELECT name, role FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL;
SELECT row_to_json(x)::text AS json, x.version FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM tickets t WHERE t.id = :id) x;
