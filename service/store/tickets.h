/**
 * @file tickets.h
 * @brief Tickets and their history in PostgreSQL. Representations come back as JSON text built
 *        by the database (one round trip, no re-encoding).
 */
#ifndef HOTLINE_STORE_TICKETS_H
#define HOTLINE_STORE_TICKETS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ticket.h"
#include "domain/timefmt.h"
#include "store/db.h"

/** A new ticket: the validated input plus what the service decided. */
struct ticket_new {
    const struct ticket_input *in;
    const char *owner;   /* first-responsible agent */
    const char *actor;   /* who created it */
    hl_time now;
};

/**
 * Insert a ticket and its "created" event in one statement.
 * @param[out] json the ticket (caller frees)
 */
enum db_status store_ticket_create(struct db *db, const struct ticket_new *t, char **json);

/**
 * The ticket as JSON.
 * @param lock take a row lock (inside a transaction) for a read-modify-write
 * @param[out] json caller frees; @param[out] version the row version
 * @return DB_NOT_FOUND when there is no such ticket
 */
enum db_status store_ticket_get(struct db *db, int64_t id, bool lock, char **json, int *version);

/** A change decided by the domain: the new values and the before/after for history. */
struct ticket_change {
    int64_t id;
    const struct ticket_input *in; /* fields with has_* set are written */
    const char *actor;
    const char *event_kind; /* "updated", ... */
    const char *before, *after; /* JSON objects of the changed fields */
    hl_time now;
};

/**
 * Write a change and its history event in one statement; version goes up by one.
 * @param[out] json the ticket after the change (caller frees)
 */
enum db_status store_ticket_update(struct db *db, const struct ticket_change *c, char **json);

struct ticket_filter {
    const char *status, *cls, *kind, *owner, *phone_norm;
    bool has_from, has_to, has_cursor;
    hl_time created_from, created_to;
    int64_t before_id; /* keyset: ids below this one */
    int limit;
};

/** One page of a list: a JSON array of items and the key to continue after. */
struct page {
    char *items; /* JSON array text, caller frees */
    int count;   /* items returned (limit + 1 were asked for) */
    bool more;   /* another page exists */
    int64_t last_key;
};

/** Tickets matching the filter, newest first. */
enum db_status store_ticket_list(struct db *db, const struct ticket_filter *f, struct page *out);

/**
 * A ticket's history in order, after event id after_id.
 * @return DB_NOT_FOUND when the ticket does not exist
 */
enum db_status store_ticket_events(struct db *db, int64_t ticket_id, int64_t after_id, int limit,
                                   struct page *out);

/** Free a page's items. */
void page_free(struct page *p);

#endif
