-- The sweeper's second pass (store/followups.c q_claim_again) looks for follow-ups still pending
-- 4 hours after they were marked overdue, oldest first. Without this index it read every pending
-- follow-up (a sequential scan; 71 ms at 1M tickets in make bench, growing with the table).
CREATE INDEX followups_overdue_escalate ON followups (overdue_at, id)
    WHERE status = 'pending' AND escalation_level = 1;
