/**
 * @file common.h
 * @brief What every resource handler shares: store outcomes as HTTP, ids, pages, ETags and
 *        Idempotency-Key handling for creating POSTs.
 */
#ifndef HOTLINE_API_COMMON_H
#define HOTLINE_API_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "http/request.h"
#include "store/db.h"
#include "store/tickets.h"

#define API_LIMIT_DEFAULT 50
#define API_LIMIT_MAX 200

/**
 * Content negotiation for a route with several representations: adds Vary: Accept and picks
 * one of offered ("type/subtype", the default first) by the Accept header (http/accept.h).
 * @return the index of the chosen type, or -1 after replying 406 naming the offers
 */
int api_accept_or_reply(struct http_request *req, const char *const *offered);

/** Reply for a store outcome that is not DB_OK; what names the resource for 404/409. */
void api_reply_db(struct http_request *req, enum db_status s, const char *what);

/**
 * Read path parameter name as a positive integer id.
 * @return false after replying 404 (an id that cannot exist names nothing).
 */
bool api_id_or_reply(struct http_request *req, const char *name, const char *what, int64_t *id);

/** Read ?limit= (1..API_LIMIT_MAX, default API_LIMIT_DEFAULT) into errs. */
int api_query_limit(struct http_request *req, struct verrors *errs);

/**
 * Read ?cursor= with nkeys keys into keys; *has set when present. Problems go to errs.
 */
void api_query_cursor(struct http_request *req, int64_t *keys, int nkeys, bool *has,
                      struct verrors *errs);

/** Read an RFC 3339 query parameter; *has set when present. Problems go to errs. */
void api_query_time(struct http_request *req, const char *name, hl_time *out, bool *has,
                    struct verrors *errs);

/** Read an enum query parameter (NULL when absent). Problems go to errs. */
const char *api_query_enum(struct http_request *req, const char *name, const char *const *values,
                           struct verrors *errs);

/**
 * Reply 200 with {"items": [...], "next_cursor": "..."|null}; takes page->items.
 * @param keys the keys of the last item, used for the cursor when more pages exist
 */
void api_reply_page(struct http_request *req, char *items, bool more, const int64_t *keys,
                    int nkeys);

/** A page of single-key rows (200), or the store's failure (what: "ticket", ...); takes
 *  page->items. */
void api_reply_page_or_db(struct http_request *req, enum db_status s, struct page *page,
                          const char *what);

/** A store function reading one thing's history after a row id, a page at a time. */
typedef enum db_status (*api_history_fn)(struct db *db, int64_t id, int64_t after_id, int limit,
                                         struct page *out);

/** GET /{things}/{id}/events: path id, ?limit and ?cursor, then the page (what: "ticket"). */
void api_reply_history(struct http_request *req, const char *what, api_history_fn fn);

/** Set ETag: "version". */
void api_set_etag(struct http_request *req, int version);

/**
 * Read If-Match into *expected (-1 when absent or "*").
 * @return false after replying 412 when it can never match.
 */
bool api_if_match_or_reply(struct http_request *req, int *expected);

/**
 * A creating POST, safe to retry with an Idempotency-Key.
 * With a key, the body runs inside one transaction with the key's claim and answer; without,
 * it runs alone, so a body of several statements must use db_atomically. It returns a store
 * outcome and, on DB_OK, the status and JSON to answer (status >= 400 is kept as an answer too).
 */
typedef enum db_status (*api_create_body)(struct db *db, void *ctx, int *status, char **json);

/** Sets headers (Location, ETag) from a created resource's JSON, for first and replayed answers. */
typedef void (*api_created_headers)(struct http_request *req, const char *json);

/**
 * Run body once per Idempotency-Key and reply: the original answer for a retry with the same
 * key and body, 409 for the same key with another body.
 * @param what names the resource in errors
 */
void api_run_create(struct http_request *req, api_create_body body, void *ctx,
                    api_created_headers headers, const char *what);

#endif
