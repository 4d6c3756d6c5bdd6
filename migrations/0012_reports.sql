-- Reports (GET /reports/daily, GET /reports/summary) and two gauges of GET /metrics.
--
-- A report reads the rows of its period through these indexes, so a one-day report costs that
-- day's calls, tickets, deadlines and follow-up attempts, not the tables (EXPLAIN plans at
-- 10,000,000 tickets: README "Reports", tools/explain-reports.sh). Each index is created
-- IF NOT EXISTS: on a large database, build them beforehand with CREATE INDEX CONCURRENTLY
-- under the same names (all but followups_deadline, which needs the new column).

-- The deadline a rule's follow-up task stands for (weekly callback, progress notice,
-- government callback). due_at moves when an unanswered attempt is rescheduled; deadline_at
-- does not, so "made on time" compares the call with the deadline, not with the retry.
-- Existing tasks with at most one attempt were never rescheduled: their due_at is the deadline.
ALTER TABLE followups ADD COLUMN deadline_at timestamptz;
UPDATE followups SET deadline_at = due_at
 WHERE kind IN ('weekly_callback', 'progress_notice', 'government_callback')
   AND created_by = 'rules' AND attempts <= 1;
CREATE INDEX IF NOT EXISTS followups_deadline ON followups (deadline_at)
    WHERE deadline_at IS NOT NULL;

-- Deadlines that fall due in a period, per rule (the ticket columns the rules set).
CREATE INDEX IF NOT EXISTS tickets_resolve_due ON tickets (resolve_due_at)
    WHERE resolve_due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_relay_due ON tickets (relay_due_at)
    WHERE relay_due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_callback_due ON tickets (callback_due_at)
    WHERE callback_due_at IS NOT NULL;

-- Inbound calls of a period with every column the call figures read, so a past day is an
-- index-only scan; also the hotline_calls_today gauge.
CREATE INDEX IF NOT EXISTS calls_inbound_offered ON calls (offered_at)
    INCLUDE (state, outcome, agent, ring_seconds, talk_seconds, answered_within_threshold)
    WHERE direction = 'inbound';

-- Follow-up calls made in a period, and tasks that failed in it.
CREATE INDEX IF NOT EXISTS followup_attempts_at ON followup_attempts (at);
CREATE INDEX IF NOT EXISTS followups_failed_closed ON followups (closed_at)
    WHERE status = 'failed';

-- Resolutions (and reopenings) in a period: status changes only, not the whole history.
CREATE INDEX IF NOT EXISTS ticket_events_transition_status
    ON ticket_events ((after ->> 'status'), at) WHERE kind = 'transition';

-- hotline_outbox_failed: deliveries given up, counted from this index alone.
CREATE INDEX IF NOT EXISTS outbox_failed ON outbox (id) WHERE status = 'failed';
