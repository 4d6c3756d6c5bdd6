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

#endif
