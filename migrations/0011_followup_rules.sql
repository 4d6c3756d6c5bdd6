-- Follow-up scheduling and overdue marks, the outbox delivery lease, and the rule numbers
-- of follow-up calls.

ALTER TABLE followups
    ADD COLUMN urgent            boolean NOT NULL DEFAULT false,   -- ignores the calling windows
    ADD COLUMN overdue_at        timestamptz,
    ADD COLUMN escalation_level  integer NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 2);
-- The sweeper reads only pending follow-ups not yet marked overdue.
CREATE INDEX followups_due_unmarked ON followups (due_at, id) WHERE status = 'pending' AND overdue_at IS NULL;

ALTER TABLE outbox ADD COLUMN leased_until timestamptz;

UPDATE calendar_settings SET rules = rules || '{"followup_retry_minutes":60,"followup_max_attempts":3,
    "satisfaction_after_business_days":1}';
ALTER TABLE calendar_settings ALTER COLUMN rules SET DEFAULT '{"general_days":1,"hard_days":2,
    "special_callback_days":7,"government_relay_minutes":15,"government_callback_minutes":60,
    "complaint_notice_hours":24,"escalation_delay_minutes":240,"followup_retry_minutes":60,
    "followup_max_attempts":3,"satisfaction_after_business_days":1}';
