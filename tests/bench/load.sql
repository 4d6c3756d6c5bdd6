-- Bench data set: :tickets tickets with their history, a caller population, follow-ups, and
-- (once the tables exist) calls. Generated in SQL so 100k loads in seconds; run with
--   psql -v tickets=100000 -f load.sql
-- Shapes follow a hotline's: 200 agents, about one caller per three tickets (callers call
-- again), mostly closed history with a recent open tail, one "created" event per ticket and
-- an "updated" one for half of them.
\set ON_ERROR_STOP on
SET synchronous_commit = off;  -- loading only; the benchmark itself runs with it on

SELECT :tickets AS n, greatest(:tickets / 3, 1) AS callers \gset

INSERT INTO tickets (class, kind, status, subject, details, caller_name, caller_phone,
                     caller_phone_norm, owner, department, call_id, created_by, created_at,
                     updated_at, version)
SELECT (ARRAY['general','general','general','general','general','general',
              'hard','hard','hard','special','government'])[1 + (i * 7) % 11],
       (ARRAY['inquiry','inquiry','inquiry','complaint','suggestion','repair','emergency'])[1 + (i * 13) % 7],
       CASE WHEN i > :n - :n / 20 THEN (ARRAY['new','in_progress','relayed'])[1 + i % 3]
            WHEN i % 50 = 0 THEN 'reopened' ELSE 'closed' END,
       'Caller asks about invoice ' || (i * 2654435761 % 1000000)::text || ' and the last payment',
       repeat('客户来电反映账单重复扣费，已记录并转财务部门核实。', (1 + i % 3)::int),
       '客户' || (c % 997)::text,
       '+86 138-' || lpad((c / 10000 % 10000)::text, 4, '0') || '-' || lpad((c % 10000)::text, 4, '0'),
       '86138' || lpad((c / 10000 % 10000)::text, 4, '0') || lpad((c % 10000)::text, 4, '0'),
       'agent-' || (i % 200)::text,
       (ARRAY[NULL,'billing','network','field-ops','sales'])[1 + i % 5],
       CASE WHEN i % 3 = 0 THEN 'pbx-' || i::text END,
       'agent-' || (i % 200)::text,
       now() - make_interval(secs => (:n - i) * (63072000.0 / :n)),
       now() - make_interval(secs => (:n - i) * (63072000.0 / :n)) + interval '2 hours',
       1 + (i % 2)
FROM (SELECT i, 1 + (i * 40503) % :callers AS c FROM generate_series(1::bigint, :n) AS i) s;

INSERT INTO ticket_events (ticket_id, at, actor, kind, after)
SELECT t.id, t.created_at, t.created_by, 'created', to_jsonb(t) - 'version' FROM tickets t;

INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after)
SELECT t.id, t.updated_at, t.owner, 'updated', jsonb_build_object('department', NULL),
       jsonb_build_object('department', t.department)
FROM tickets t WHERE t.version = 2;

-- One follow-up for every tenth ticket: done in the past, pending in the recent tail and due
-- within the coming week, so the sweeper finds the data set in a steady state.
INSERT INTO followups (kind, ticket_id, phone, phone_norm, due_at, agent, status, attempts,
                       created_by, created_at, updated_at, closed_at)
SELECT (ARRAY['progress_notice','satisfaction','weekly_callback','agreed_callback'])[1 + t.id % 4],
       t.id, t.caller_phone, t.caller_phone_norm,
       CASE WHEN t.status = 'closed' THEN t.created_at + interval '1 day'
            ELSE now() + make_interval(hours => (1 + t.id % 168)::int) END, t.owner,
       CASE WHEN t.status = 'closed' THEN 'done' ELSE 'pending' END,
       CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END,
       t.owner, t.created_at, t.updated_at,
       CASE WHEN t.status = 'closed' THEN t.created_at + interval '1 day' END
FROM tickets t WHERE t.id % 10 = 0;

-- Calls: one answered inbound call for every ticket registered from a call (call_id set), and
-- an abandoned one for every 20th caller, with their events.
INSERT INTO calls (call_id, direction, from_number, from_norm, to_number, to_norm, agent, queue,
                   state, outcome, cause, offered_at, answered_at, ended_at, ring_seconds,
                   talk_seconds, answered_within_threshold, event_count, created_at, updated_at)
SELECT t.call_id, 'inbound', t.caller_phone, t.caller_phone_norm, '95555', '8695555', t.owner,
       'support', 'ended', 'answered', 'normal', t.created_at - interval '5 minutes',
       t.created_at - interval '299 seconds', t.created_at, 1, 299, true, 3,
       t.created_at - interval '5 minutes', t.created_at
FROM tickets t WHERE t.call_id IS NOT NULL;
INSERT INTO calls (call_id, direction, from_number, from_norm, to_number, to_norm, queue, state,
                   outcome, cause, offered_at, ended_at, ring_seconds, event_count, created_at,
                   updated_at)
SELECT 'gone-' || t.id, 'inbound', t.caller_phone, t.caller_phone_norm, '95555', '8695555',
       'support', 'ended', 'abandoned', 'abandoned', t.created_at - interval '1 hour',
       t.created_at - interval '59 minutes', 60, 2, t.created_at - interval '1 hour',
       t.created_at - interval '59 minutes'
FROM tickets t WHERE t.id % 60 = 0;
INSERT INTO call_events (call_id, dedup_key, event, at, direction, from_number, from_norm,
                         to_number, to_norm, agent, queue, cause, source, received_by, received_at)
SELECT c.call_id, 'at:' || e.kind || ':' || (extract(epoch FROM e.at) * 1000000)::bigint, e.kind,
       e.at, 'inbound', c.from_number, c.from_norm, c.to_number, c.to_norm,
       CASE WHEN e.kind = 'answered' THEN c.agent END, c.queue,
       CASE WHEN e.kind = 'hangup' THEN c.cause END, 'events', 'bench-pbx', e.at
FROM calls c, LATERAL (VALUES ('offered', c.offered_at), ('answered', c.answered_at),
                              ('hangup', c.ended_at)) AS e(kind, at)
WHERE e.at IS NOT NULL;

VACUUM (ANALYZE) tickets;
VACUUM (ANALYZE) ticket_events;
VACUUM (ANALYZE) followups;
VACUUM (ANALYZE) calls;
VACUUM (ANALYZE) call_events;
