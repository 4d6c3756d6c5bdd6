/**
 * @file tickets.h
 * @brief Ticket use cases shared by the API and the background jobs: a status transition with
 *        its effects on deadlines and follow-ups, and a rule callback made.
 *
 * Each runs its statements atomically (joining the caller's transaction when there is one).
 */
#ifndef HOTLINE_APP_TICKETS_H
#define HOTLINE_APP_TICKETS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/followup.h"
#include "domain/ticket.h"
#include "domain/ticket_state.h"
#include "store/db.h"

struct ticket_transition {
    int64_t id;
    int expected; /* If-Match version, -1: any */
    enum ticket_status to;
    const char *note, *actor;
    hl_time now;
    enum transition_via via;      /* VIA_REQUEST unless a complaint step makes the change */
    const char *complaint_outcome; /* recorded with the change (satisfaction callback), or NULL */
    /* outcomes */
    bool stale;   /* DB_CONFLICT: the version did not match */
    bool refused; /* DB_CONFLICT: the state machine does not allow it (see missing) */
    enum complaint_step missing; /* refused complaints: the step that must come first */
    enum ticket_status from;
    enum ticket_kind kind;
    struct complaint_facts facts;
    char *json; /* the ticket after the change (caller frees) */
};

/**
 * Move a ticket to t->to: state machine check, deadlines (resolving stops them, reopening
 * starts them again, relaying a government ticket starts its callback), history, follow-ups.
 * @return DB_OK, DB_NOT_FOUND, DB_CONFLICT (see stale/refused) or a store failure
 */
enum db_status app_ticket_transition(struct db *db, struct ticket_transition *t);

/**
 * A rule's follow-up call was made (reached or declined): the weekly callback and the progress
 * notice start their next period from now; the government callback deadline is met.
 * Other kinds change nothing on the ticket.
 */
enum db_status app_ticket_callback_made(struct db *db, int64_t ticket_id,
                                        enum followup_kind kind, const char *actor, hl_time now);

/**
 * The government relay was acknowledged by its recipient: the relay deadline is met and the
 * callback deadline starts; the ticket becomes `relayed` when its state allows.
 */
enum db_status app_ticket_relay_acknowledged(struct db *db, int64_t ticket_id, hl_time now);

#endif
