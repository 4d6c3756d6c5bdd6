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

/** A ticket's deadlines: due[k] is meaningful when has[k], warn[k] when has_warn[k]. */
struct deadlines {
    bool has[DL_COUNT];
    hl_time due[DL_COUNT];
    bool has_warn[DL_COUNT];
    hl_time warn[DL_COUNT]; /* 预警: rules.warning_percent of the allowed time has passed */
    char rule[DL_COUNT][DEADLINE_RULE_MAX]; /* why: the rule that set it, in words */
};

/**
 * The warning instant of a deadline running from start to due: start + percent% of the
 * allowed time. @return false when there is none (no time allowed, or percent outside 1-99)
 */
bool deadline_warning_at(hl_time start, hl_time due, int percent, hl_time *warn);

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
    unsigned warned;      /* DL_BIT()s of deadlines warned of since set or renewed */
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
 * breached, the earliest warning not yet given, or the next escalation of an overdue ticket.
 * @return false when nothing is due.
 */
bool ticket_next_due(const struct ticket_clock *t, hl_time *out);

struct sweep_decision {
    unsigned newly_breached; /* DL_BIT()s that passed since the last look */
    unsigned newly_warned;   /* DL_BIT()s whose warning is due (and that did not pass too) */
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

/**
 * The instant `minutes` business minutes after from: only time on working days between
 * opening and closing counts (lunch counts, as calls are answered then). Used for a dispatch
 * to be signed for. @return false when the calendar has no working day ahead
 */
bool deadline_business_minutes(const struct calendar *c, hl_time from, int minutes,
                               hl_time *due);

enum extension_verdict {
    EXT_OK,
    EXT_NOT_RUNNING, /* the ticket has no such deadline running (none, met, resolved) */
    EXT_PASSED,      /* asked at or after the deadline: refused */
    EXT_NOT_LATER,   /* the instant asked for is not after the deadline */
    EXT_UNTIL_PASSED, /* approved when the instant asked for has already passed */
};

/**
 * May the owner ask at now to move deadline k to until? (Before the deadline, to a later
 * instant, while it runs.)
 */
enum extension_verdict extension_request_check(const struct ticket_clock *t,
                                               enum deadline_kind k, hl_time until,
                                               hl_time now);

/**
 * Approve at now an extension of deadline k to until: the deadline moves, its overdue mark
 * and warning are cleared, and the warning is re-armed at rules.warning_percent of the time
 * from now to until. Refused (EXT_NOT_RUNNING, EXT_UNTIL_PASSED) without changing t.
 */
enum extension_verdict deadline_extend(struct ticket_clock *t, enum deadline_kind k,
                                       hl_time until, hl_time now, const struct rules *r);

/**
 * An escalation by hand at now to level `to` (-1: one level up): who must act changes, and an
 * overdue ticket is escalated again after rules.escalation_delay_minutes (until the manager).
 * @return false (t unchanged) when `to` is not above the current level or beyond the manager
 */
bool escalate_by_hand(struct ticket_clock *t, int to, hl_time now, const struct rules *r);

#endif
