-- GET /tickets/{id}/events: store_ticket_events (q_events; q_exists only when the page is
-- empty, which the data set never makes it).
\set id random(1, :max_id)
-- auth: store_token_find (service/store/tokens.c), once per request
SELECT name, role FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL;
SELECT row_to_json(x)::text AS json, x.id FROM (SELECT e.id, e.at, e.actor, e.kind, e.before, e.after, e.note FROM ticket_events e WHERE e.ticket_id = :id AND e.id > :zero ORDER BY e.id LIMIT :limit_events) x ORDER BY x.id;
