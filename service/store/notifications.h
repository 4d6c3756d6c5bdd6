/**
 * @file notifications.h
 * @brief The notification lists of incidents: building them from the directory in one
 *        statement, handing customers to agents (FOR UPDATE SKIP LOCKED), call results, lists
 *        and the final report.
 */
#ifndef HOTLINE_STORE_NOTIFICATIONS_H
#define HOTLINE_STORE_NOTIFICATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/notify.h"
#include "domain/timefmt.h"
#include "store/db.h"
#include "store/tickets.h"

struct build_counts {
    long selected;       /* customers the selection matched */
    long pending;        /* added with a phone: to be called */
    long no_contact;     /* added without one: for a visit */
    long already_listed; /* matched but on this round's list already */
};

/**
 * Add the customers a selection matches to an incident's list for the selection's round, in
 * one INSERT … SELECT from the directory: with a phone → pending (available now), without →
 * no_contact. Customers already on the round's list are left as they are. Runs inside the
 * caller's transaction, which it allows up to two minutes.
 */
enum db_status store_notifications_build(struct db *db, int64_t incident_id,
                                         const struct selection *sel, const char *actor,
                                         hl_time now, struct build_counts *out);

/**
 * Hand the actor the next customer of a round to call: the actor's own live claim if any
 * (a retried claim gets the same customer), else the next open one available at now, claimed
 * until now + claim_minutes.
 * @param[out] json the notification with the customer's details (caller frees); NULL when
 *             nobody is waiting now
 */
enum db_status store_notification_claim(struct db *db, int64_t incident_id,
                                        enum notify_round round, const char *actor, hl_time now,
                                        int claim_minutes, char **json);

/** What a result needs to know of a notification. */
struct notification_state {
    int64_t id, incident_id;
    enum notify_status status;
    int attempts;
    char claimed_by[65];
};

/** Read and lock a notification of an incident. @return DB_NOT_FOUND */
enum db_status store_notification_state(struct db *db, int64_t incident_id, int64_t id,
                                        struct notification_state *out);

struct notification_result {
    int64_t id;
    enum notify_result result;
    const struct notify_outcome *outcome;
    const char *actor, *call_id, *note;
    hl_time now;
};

/** What the calls issue's record of call_id says about a notification's customer. */
enum db_status store_notification_call(struct db *db, int64_t id, const char *call_id,
                                       struct notify_call *out);

/** Write a result and its attempt row. @param[out] json the notification after it */
enum db_status store_notification_record(struct db *db, const struct notification_result *r,
                                         char **json);

struct notification_filter {
    int64_t incident_id;
    const char *round, *status;
    bool has_cursor;
    int64_t after_id;
    int limit;
};

/** A round's list in list order (oldest first). @return DB_NOT_FOUND without the incident */
enum db_status store_notification_list(struct db *db, const struct notification_filter *f,
                                       struct page *out);

/**
 * The report of an incident: per round, counts per status, the notified list, the
 * not-notified list with reasons and the no-contact list, as JSON.
 * @param[out] rows how many notifications it holds
 */
enum db_status store_notification_report(struct db *db, int64_t incident_id, hl_time now,
                                         char **json, long *rows);

/**
 * The same as CSV (a header and one line per notification), in text the caller owns.
 */
enum db_status store_notification_report_csv(struct db *db, int64_t incident_id, char **csv,
                                             long *rows);

#endif
