-- GET /tickets?owner=<me>&limit=20&cursor=<random>: service/store/tickets.c store_ticket_list
-- builds this text for an owner filter and a cursor (limit + 1 rows are asked for).
\set before random(1, :max_id)
-- auth: store_token_find (service/store/tokens.c), once per request
SELECT name, role FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL;
SELECT row_to_json(x)::text AS json, x.id FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM tickets t WHERE true AND t.owner = :agent AND t.id < :before ORDER BY t.id DESC LIMIT :limit) x ORDER BY x.id DESC;
