-- Plans of the list pages, the caller look-up and the due queries, with the text hotlined
-- builds (service/store/tickets.c store_ticket_list). psql variables: agent, before, phone.
\pset footer off
\echo '-- "my tickets" page at a position (owner filter + keyset cursor)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT row_to_json(x)::text AS json, x.id FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM tickets t WHERE true AND t.owner = :'agent' AND t.id < :before ORDER BY t.id DESC LIMIT 21) x ORDER BY x.id DESC;
\echo
\echo '-- caller look-up (phone filter), first page'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT row_to_json(x)::text AS json, x.id FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM tickets t WHERE true AND t.caller_phone_norm = :'phone' ORDER BY t.id DESC LIMIT 21) x ORDER BY x.id DESC;
\echo
\echo '-- open tickets of a status, first page (wall board)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT row_to_json(x)::text AS json, x.id FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM tickets t WHERE true AND t.status = 'new' ORDER BY t.id DESC LIMIT 21) x ORDER BY x.id DESC;
\echo
\echo '-- all tickets, first page'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT row_to_json(x)::text AS json, x.id FROM (SELECT t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, t.created_by, t.created_at, t.updated_at, t.version FROM tickets t WHERE true ORDER BY t.id DESC LIMIT 51) x ORDER BY x.id DESC;
\echo
\echo '-- due follow-ups (the sweeper''s queue: followups_pending_due)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id FROM followups WHERE status = 'pending' AND due_at <= now() ORDER BY due_at, id LIMIT 100 FOR UPDATE SKIP LOCKED;
\echo
\echo '-- an agent''s due follow-ups (followups_pending_agent)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id FROM followups WHERE status = 'pending' AND agent = :'agent' ORDER BY due_at, id LIMIT 51;
