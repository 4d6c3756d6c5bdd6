-- The reports' complaints_reviewed: a manager's review decisions in a period, an approval
-- (kind 'reviewed') or a send-back (a transition made by the review). store/reports.c's
-- SRC_REVIEWED repeats this predicate word for word so the planner can use the index.
CREATE INDEX IF NOT EXISTS ticket_events_review
    ON ticket_events (at)
    WHERE kind = 'reviewed' OR (kind = 'transition' AND after ->> 'via' = 'review');
