/**
 * @file incident_state.h
 * @brief The incident state machine and the acknowledgement clock: one transition table (with
 *        the roles that may take each step), used by the API, the sweeper and the tests.
 *
 *   reported ──► relayed ──► acknowledged ──► repairing ──► resolved ──► closed
 *       └────────────────────────▲                 ▲             │
 *                                                  └─────────────┘ (the hazard is back)
 *
 * Operations must acknowledge within the acknowledgement time (around the clock); until it
 * does, the sweeper escalates once to the supervisor at the deadline and once more to the
 * manager one acknowledgement time later.
 */
#ifndef HOTLINE_DOMAIN_INCIDENT_STATE_H
#define HOTLINE_DOMAIN_INCIDENT_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/incident.h"
#include "domain/timefmt.h"

/**
 * The roles (domain/roles.h bits) that may move an incident from one status to another.
 * @return 0 when the state machine has no such step
 */
unsigned incident_transition_roles(enum incident_status from, enum incident_status to);

/**
 * The statuses reachable from `from` by a token of role `role` (0: by anyone), in table order.
 * @return how many were written to out
 */
int incident_transitions_from(enum incident_status from, unsigned role,
                              enum incident_status out[INCIDENT_STATUS_COUNT]);

/** "a, b" of the statuses reachable from `from` by `role` (0: anyone); "none" when none. */
void incident_transitions_text(enum incident_status from, unsigned role, char *out, size_t n);

/** Does entering this status need a note (what was done)? */
bool incident_transition_needs_note(enum incident_status to);

/** Still waiting for operations to acknowledge? */
bool incident_awaits_ack(enum incident_status s);

#define INCIDENT_ESCALATION_MAX 2

/** What the sweeper needs to know of an incident. */
struct incident_clock {
    enum incident_status status;
    hl_time ack_due_at;
    int escalation_level; /* 0 none, 1 supervisor, 2 manager */
};

/**
 * When the sweeper must next look: while unacknowledged and below the manager, the deadline
 * plus one acknowledgement time per level already raised.
 * @return false when nothing is due
 */
bool incident_next_due(const struct incident_clock *c, int ack_minutes, hl_time *out);

struct incident_sweep {
    int escalate_to; /* the new level, or 0 when nothing happens */
    bool has_next_due;
    hl_time next_due;
};

/** The sweeper's decision at now: at most one level per look. */
void incident_sweep_decide(const struct incident_clock *c, hl_time now, int ack_minutes,
                           struct incident_sweep *out);

#endif
