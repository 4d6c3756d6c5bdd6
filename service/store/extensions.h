/**
 * @file extensions.h
 * @brief Requests for more time (ticket_extensions), written in the caller's transaction.
 */
#ifndef HOTLINE_STORE_EXTENSIONS_H
#define HOTLINE_STORE_EXTENSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/complaint.h"
#include "domain/timefmt.h"
#include "store/db.h"

struct extension_new {
    int64_t ticket_id;
    const struct extension_input *in;
    hl_time due_at; /* the deadline when asked */
    const char *actor;
    hl_time now;
};

/**
 * Insert a request and its `extension_requested` history event.
 * @return DB_DUPLICATE when the ticket already has a request waiting
 */
enum db_status store_extension_create(struct db *db, const struct extension_new *e, char **json);

/** What a decision needs to know of a request. */
struct extension_row {
    int64_t id, ticket_id, followup_id;
    enum deadline_kind deadline;
    bool waiting; /* status requested */
    hl_time until;
};

/** Read and lock a request. @return DB_NOT_FOUND when none */
enum db_status store_extension_row_lock(struct db *db, int64_t id, struct extension_row *out);

struct extension_decision {
    int64_t id;
    bool approve;
    const char *note, *actor;
    int64_t followup_id; /* approved: the follow-up telling the customer, 0: none */
    hl_time now;
};

/**
 * Record the decision; a refusal also gets its `extension_refused` history event (an approval's
 * event comes with the deadline's change). @param[out] json the request after it
 */
enum db_status store_extension_decide(struct db *db, const struct extension_decision *d,
                                      char **json);

/** A ticket's requests, oldest first, as {"items": [...]}. @return DB_NOT_FOUND: no ticket */
enum db_status store_extensions_json(struct db *db, int64_t ticket_id, char **json);

#endif
