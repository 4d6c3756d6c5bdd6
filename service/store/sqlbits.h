/**
 * @file sqlbits.h
 * @brief Small helpers the stores share: pages of JSON rows, single JSON rows, text arrays
 *        as parameters, optional instants.
 */
#ifndef HOTLINE_STORE_SQLBITS_H
#define HOTLINE_STORE_SQLBITS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/timefmt.h"
#include "store/db.h"
#include "store/tickets.h"
#include "util/strbuf.h"

/** Up to limit + 1 rows of (json, id) into a page; takes (clears) res. */
enum db_status sql_collect_page(PGresult *res, int limit, struct page *out);

/** Append a PostgreSQL text[] literal of items ("{"a","b"}"). */
void sql_text_array(struct strbuf *sb, const char *const *items, int n);

/** Append a bigint[] literal. */
void sql_int_array(struct strbuf *sb, const int64_t *items, int n);

/** An optional instant as a parameter (buf of 48 bytes), NULL when absent. */
const char *sql_opt_time(bool has, hl_time t, char *buf);

/** The first row's "json" column as a new string (caller frees), DB_NOT_FOUND without rows;
 *  takes (clears) res. */
enum db_status sql_single_json(PGresult *res, enum db_status s, char **json, int *version);

/** Run a statement and return its first row's "json" column (caller frees); DB_NOT_FOUND
 *  without rows. */
enum db_status sql_exec_json(struct db *db, struct db_stmt *st, const char *const *params,
                             char **json);

/** A page of one thing's history after a row id: events(id, after_id, limit + 1) gives rows of
 *  (json, id); with none, exists(id, ...) tells an empty page from DB_NOT_FOUND. */
enum db_status sql_history_page(struct db *db, struct db_stmt *events, struct db_stmt *exists,
                                int64_t id, int64_t after_id, int limit, struct page *out);

/** sql_exec_json of a statement whose one parameter is an id. */
enum db_status sql_id_json(struct db *db, struct db_stmt *st, int64_t id, char **json);

#endif
