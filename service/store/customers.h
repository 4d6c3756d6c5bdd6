/**
 * @file customers.h
 * @brief The customer directory in PostgreSQL: single records, searches, and the streamed bulk
 *        import (COPY into a staging table, then one upsert by account number).
 */
#ifndef HOTLINE_STORE_CUSTOMERS_H
#define HOTLINE_STORE_CUSTOMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/customer.h"
#include "domain/timefmt.h"
#include "store/db.h"
#include "store/tickets.h"
#include "util/strbuf.h"

/**
 * Insert a customer.
 * @param[out] json the customer (caller frees); @param[out] version
 * @return DB_DUPLICATE when the account number is taken
 */
enum db_status store_customer_create(struct db *db, const struct customer_input *in,
                                     const char *actor, hl_time now, char **json, int *version);

/** The customer as JSON. @return DB_NOT_FOUND when there is none */
enum db_status store_customer_get(struct db *db, int64_t id, bool lock, char **json,
                                  int *version);

/**
 * Write the given members (in->has) of a customer; a change that changes nothing keeps the
 * version. Run inside a transaction after store_customer_get(lock).
 * @param[out] json the customer after the change
 */
enum db_status store_customer_update(struct db *db, int64_t id, const struct customer_input *in,
                                     const char *actor, hl_time now, char **json);

struct customer_filter {
    const char *area, *street, *q, *phone_norm, *tag;
    bool has_cursor;
    int64_t before_id;
    int limit;
};

/** Customers matching the filter, newest first. */
enum db_status store_customer_list(struct db *db, const struct customer_filter *f,
                                   struct page *out);

/* ---- bulk import ------------------------------------------------------------------------------ */

/** On a handle of its own, inside db_begin: create the staging table and start the COPY. */
enum db_status store_import_begin(struct db *db);

/** Append one valid row to buf in COPY text format (sent with store_import_flush). */
void store_import_row(struct strbuf *buf, long line, const struct customer_input *in);

/** Send buf when it holds at least min bytes (0: whatever it holds) and empty it. */
enum db_status store_import_flush(struct db *db, struct strbuf *buf, size_t min);

/** Called for each row whose account number an earlier row of the file already had. */
typedef void (*import_duplicate_fn)(void *ctx, long line, long first_line);

struct import_counts {
    long staged, inserted, updated, unchanged, duplicates;
};

/**
 * End the COPY, reject repeated account numbers (the first row of an account wins; at most
 * max_reported are passed to dup), and upsert the rest: new accounts inserted, changed ones
 * updated (version + 1), identical ones left alone.
 */
enum db_status store_import_finish(struct db *db, const char *actor, hl_time now,
                                   long max_reported, import_duplicate_fn dup, void *ctx,
                                   struct import_counts *out);

#endif
