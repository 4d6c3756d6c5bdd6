/**
 * @file outbox.h
 * @brief The transactional outbox: events for the outside world, one row per subscribed
 *        webhook, written in the caller's transaction and delivered later, at least once.
 */
#ifndef HOTLINE_STORE_OUTBOX_H
#define HOTLINE_STORE_OUTBOX_H

#include <stdint.h>

#include "domain/timefmt.h"
#include "store/db.h"

/**
 * Queue an event for every active webhook subscribed to it (none subscribed: nothing queued).
 * Call it inside the transaction of the change it reports, so both happen or neither.
 * @param event        "government.relay", "ticket.overdue", "incident.relay", ...
 * @param subject_type "ticket", "followup", "call", "incident"
 * @param payload      a JSON object (text); it is sent as {"event", "delivery_id", "at", "data"}
 * @param[out] queued  rows queued (may be NULL)
 */
enum db_status store_outbox_emit(struct db *db, const char *event, const char *subject_type,
                                 int64_t subject_id, const char *payload, hl_time now,
                                 int *queued);

#endif
