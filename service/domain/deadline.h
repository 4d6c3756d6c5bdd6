/**
 * @file deadline.h
 * @brief The duty rules as deadlines: what each class and kind of ticket owes the customer and
 *        by when, which rule set it, and what the sweeper does when one passes.
 */
#ifndef HOTLINE_DOMAIN_DEADLINE_H
#define HOTLINE_DOMAIN_DEADLINE_H

#include <stdbool.h>

#include "domain/calendar.h"
#include "domain/ticket.h"

enum deadline_kind {
    DL_RESOLVE,  /* general, hard: answered / finished */
    DL_RELAY,    /* government: relayed to the responsible party */
    DL_CALLBACK, /* government: the customer called back after the relay */
    DL_WEEKLY,   /* special: the weekly callback */
    DL_PROGRESS, /* complaint: the progress notice */
    DL_COUNT
};

/** Column-ish names: "resolve", "relay", "callback", "weekly_callback", "progress_notice". */
extern const char *const deadline_names[];

#define DL_BIT(k) (1u << (k))
#define DEADLINE_RULE_MAX 200

/** A ticket's deadlines: due[k] is meaningful when has[k]. */
struct deadlines {
    bool has[DL_COUNT];
    hl_time due[DL_COUNT];
    char rule[DL_COUNT][DEADLINE_RULE_MAX]; /* why: the rule that set it, in words */
};

/**
 * The deadlines of a ticket received at `received` (creation, or re-computation after a class
 * change or a reopening). The government callback is not set here: it runs from the relay.
 * @return false when the calendar has no business day ahead (a broken calendar).
 */
bool deadlines_for(const struct calendar *c, enum ticket_class cls, enum ticket_kind kind,
                   hl_time received, struct deadlines *out);

/** The government callback deadline after a relay at relayed_at. */
void deadline_government_callback(const struct calendar *c, hl_time relayed_at,
                                   struct deadlines *d);

/** The next weekly callback after one made (or the ticket received) at `from`. */
bool deadline_next_weekly(const struct calendar *c, hl_time from, struct deadlines *d);

/** The next progress notice after one given (or the complaint received) at `from`. */
void deadline_next_progress(const struct calendar *c, hl_time from, struct deadlines *d);

/** What the sweeper and the API need to know of a ticket's clock. */
struct ticket_clock {
    enum ticket_status status;
    struct deadlines d;   /* rule texts unused here */
    bool relayed;         /* the relay deadline is met */
    bool called_back;     /* the government callback deadline is met */
    unsigned breached;    /* DL_BIT()s of deadlines passed and not since met or renewed */
    int escalation_level; /* 0 agent, 1 supervisor, 2 manager */
    bool has_next_escalation;
    hl_time next_escalation_at;
};

#define ESCALATION_MAX 2

/** Level names: "agent", "supervisor", "manager" (who must act). */
extern const char *const escalation_names[];

/** The deadlines still running: set, not met, and the ticket not resolved or closed. */
unsigned deadlines_active(const struct ticket_clock *t);

/** Overdue: some running deadline has passed. */
bool ticket_overdue(const struct ticket_clock *t);

/**
 * When the sweeper must next look at the ticket: the earliest running deadline not yet
 * breached, or the next escalation of an overdue ticket.
 * @return false when nothing is due.
 */
bool ticket_next_due(const struct ticket_clock *t, hl_time *out);

struct sweep_decision {
    unsigned newly_breached; /* DL_BIT()s that passed since the last look */
    int escalate_to;         /* new level, or 0 for none */
    struct ticket_clock after;
    bool has_next_due;
    hl_time next_due;
};

/**
 * What the sweeper does with a ticket at now: mark deadlines breached, raise the escalation
 * level by one for a new breach, and again after rules.escalation_delay_minutes while the
 * ticket stays overdue, up to the manager.
 */
void sweep_decide(const struct ticket_clock *t, hl_time now, const struct rules *r,
                  struct sweep_decision *out);

#endif
