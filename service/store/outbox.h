/**
 * @file outbox.h
 * @brief The transactional outbox: events for the outside world, one row per subscribed
 *        webhook, written in the caller's transaction and delivered later, at least once.
 */
#ifndef HOTLINE_STORE_OUTBOX_H
#define HOTLINE_STORE_OUTBOX_H

#include <stdbool.h>
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

/** One delivery to make. Strings are owned by the struct (store_outbox_item_free). */
struct outbox_item {
    int64_t id, subject_id;
    char *delivery_id, *event, *subject_type, *payload, *url, *secret, *created_at;
    int attempts; /* made before this one */
};

void store_outbox_item_free(struct outbox_item *it);

/**
 * Lease up to limit due deliveries until now + lease (no other instance takes them meanwhile;
 * a crashed instance's lease runs out and the delivery is made again: at least once).
 * @param[out] items at least limit entries; @param[out] n how many
 */
enum db_status store_outbox_claim(struct db *db, hl_time now, int lease_ms, int limit,
                                  struct outbox_item *items, int *n);

struct outbox_result {
    int64_t id;
    bool delivered;
    bool give_up;   /* not delivered and no more attempts */
    int http_status; /* 0: no answer */
    const char *error;
    int duration_ms;
    hl_time now, next_attempt_at;
};

/** Record an attempt and its outcome (delivered, retry later, or failed). */
enum db_status store_outbox_result(struct db *db, const struct outbox_result *r);

/** The deliveries of an event about a subject, with every attempt, as a JSON array. */
enum db_status store_outbox_log_json(struct db *db, const char *event, const char *subject_type,
                                     int64_t subject_id, char **json);

/** Pending deliveries now (for /metrics). */
enum db_status store_outbox_backlog(struct db *db, long *pending, long *failed);

#endif
