/**
 * @file ticket_state.h
 * @brief The ticket state machine: one transition table, used by the API and the tests.
 *
 *   new ──► in_progress ──► resolved ──► closed
 *    │  ╲       ▲  │            │  ▲        │
 *    │   ╲      │  ▼            ▼  │        ▼
 *    │    ──► relayed ───────► reopened ◄───┘
 *    └──────────────────────► resolved
 */
#ifndef HOTLINE_DOMAIN_TICKET_STATE_H
#define HOTLINE_DOMAIN_TICKET_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/ticket.h"

/** May a ticket go from one status to another? */
bool ticket_transition_allowed(enum ticket_status from, enum ticket_status to);

/**
 * The statuses reachable from `from`, in table order.
 * @return how many were written to out (at most TICKET_STATUS_COUNT)
 */
int ticket_transitions_from(enum ticket_status from, enum ticket_status out[TICKET_STATUS_COUNT]);

/** Does entering this status need a written reason (note)? */
bool ticket_transition_needs_note(enum ticket_status to);

/** "a, b, c" of the statuses reachable from `from` ("none" when it is final). */
void ticket_transitions_text(enum ticket_status from, char *out, size_t n);

/*
 * Complaints (投诉) follow a stricter table: resolution → manager review → satisfaction
 * callback → archive, none of which can be skipped. Some changes are made only by a step of
 * that chain (the review sends a resolution back; the callback archives or reopens), never by
 * POST /tickets/{id}/transitions.
 *
 *   handling ──resolve──► awaiting_review ──approve──► awaiting_callback ──satisfied──► archived
 *      ▲   (record complete)      │ send back,               │ unsatisfied (reopened)
 *      │                          │ or reopened by request   │
 *      └──────────────────────────┴──────────────────────────┘
 */

/** Who asks for a change of status. */
enum transition_via {
    VIA_REQUEST,  /* POST /tickets/{id}/transitions, or a rule acting on any ticket */
    VIA_REVIEW,   /* the manager's review of a complaint */
    VIA_CALLBACK, /* the satisfaction callback of a complaint */
};

/** The step of the complaint chain a change is waiting for. */
enum complaint_step {
    STEP_NONE,
    STEP_RECORD,     /* the complaint record (product, what happened, what the customer wants) */
    STEP_RESOLUTION, /* resolved, with what the customer was told */
    STEP_REVIEW,     /* the customer-service manager's review */
    STEP_CALLBACK,   /* the satisfaction callback */
    STEP_COUNT
};

/** "none", "complaint_record", "resolution", "manager_review", "satisfaction_callback". */
extern const char *const complaint_step_names[];

/** What the complaint table needs to know besides the statuses. */
struct complaint_facts {
    bool record_complete; /* product, what_happened and customer_wants are recorded */
    bool reviewed;        /* the manager approved the current resolution */
};

enum transition_verdict {
    TV_OK,
    TV_REFUSED, /* not in the table at all */
    TV_MISSING, /* a step of the complaint chain must come first (see *missing) */
};

/**
 * May a ticket of this kind go from one status to another, asked this way? Tickets that are
 * not complaints use the table above (and only VIA_REQUEST). For complaints, *missing names
 * the step that must come first when the change is in the chain but not yet allowed.
 */
enum transition_verdict ticket_transition_check(enum ticket_kind kind, enum ticket_status from,
                                                enum ticket_status to, enum transition_via via,
                                                const struct complaint_facts *facts,
                                                enum complaint_step *missing);

/**
 * The statuses a ticket of this kind may be moved to with POST /transitions, in table order.
 * @param f a complaint's facts (NULL: not reviewed); ignored for other kinds
 */
int ticket_transitions_for(enum ticket_kind kind, enum ticket_status from,
                           const struct complaint_facts *f,
                           enum ticket_status out[TICKET_STATUS_COUNT]);

/** ticket_transitions_text for a ticket of this kind. */
void ticket_transitions_text_for(enum ticket_kind kind, enum ticket_status from,
                                 const struct complaint_facts *f, char *out, size_t n);

/** The step a complaint in this status waits for next (STEP_NONE once archived). */
enum complaint_step complaint_next_step(enum ticket_status status,
                                        const struct complaint_facts *facts);

#endif
