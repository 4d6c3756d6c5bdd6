/**
 * @file escalations.h
 * @brief Escalations of tickets (ticket_escalations): one path for the sweeper's and for those
 *        made by hand — the row, the `escalated` history event and the `ticket.escalated`
 *        webhook, all in the caller's transaction.
 */
#ifndef HOTLINE_STORE_ESCALATIONS_H
#define HOTLINE_STORE_ESCALATIONS_H

#include <stdint.h>

#include "domain/timefmt.h"
#include "store/db.h"

struct escalation_record {
    int64_t ticket_id;
    int from_level, to_level;
    const char *assignee; /* who must act now, by name, or NULL (the level says who) */
    const char *reason, *actor;
    hl_time now;
};

/**
 * Record an escalation the ticket row already shows (level written by the caller).
 * @param[out] json the escalation (caller frees; may be NULL when not wanted)
 */
enum db_status store_escalation_record(struct db *db, const struct escalation_record *e,
                                       char **json);

/**
 * Set a ticket's escalation by hand: level, when, the next automatic escalation and when the
 * sweeper must look again; version goes up by one. The event comes from store_escalation_record.
 */
enum db_status store_ticket_escalation_set(struct db *db, int64_t ticket_id, int level,
                                           const hl_time *next_escalation_at,
                                           const hl_time *next_due_at, hl_time now);

/** A ticket's escalations, oldest first, as {"items": [...]}. @return DB_NOT_FOUND: no ticket */
enum db_status store_escalations_json(struct db *db, int64_t ticket_id, char **json);

#endif
