/**
 * @file common.c
 * @brief Shared handler helpers.
 */
#include "api/common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cursor.h"
#include "http/accept.h"
#include "store/idempotency.h"
#include "util/crypto.h"
#include "util/strbuf.h"

void api_reply_db(struct http_request *req, enum db_status s, const char *what)
{
    switch (s) {
    case DB_OK:
        http_reply_problem(req, PROBLEM_INTERNAL, "BUG: success reported as failure");
        break;
    case DB_NOT_FOUND:
        http_reply_problem(req, PROBLEM_NOT_FOUND, "no such %s", what);
        break;
    case DB_DUPLICATE:
        http_reply_problem(req, PROBLEM_CONFLICT, "this %s already exists", what);
        break;
    case DB_CONFLICT:
        http_reply_problem(req, PROBLEM_CONFLICT, "the %s is not in a state that allows this",
                           what);
        break;
    case DB_UNAVAILABLE:
    case DB_RETRY:
        http_reply_problem(req, PROBLEM_UNAVAILABLE, "the database is unavailable; retry");
        break;
    case DB_TIMEOUT:
        http_reply_problem(req, PROBLEM_UNAVAILABLE, "the database did not answer in time; retry");
        break;
    case DB_INVALID:
        http_reply_problem(req, PROBLEM_BAD_REQUEST, "the database refused a value of this %s",
                           what);
        break;
    case DB_ERROR:
        http_reply_problem(req, PROBLEM_INTERNAL, "internal error (request %s)", req->request_id);
        break;
    }
}

int api_accept_or_reply(struct http_request *req, const char *const *offered)
{
    http_add_vary(req, "Accept");
    int i = http_accept_pick(http_header(req, "Accept"), offered);
    if (i >= 0)
        return i;
    char list[200] = "";
    for (int k = 0; offered[k]; k++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", offered[k]);
    }
    http_reply_problem(req, PROBLEM_NOT_ACCEPTABLE, "this resource is available as %s", list);
    return -1;
}

static bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || strspn(s, "-0123456789") != strlen(s))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool api_id_or_reply(struct http_request *req, const char *name, const char *what, int64_t *id)
{
    if (parse_i64(http_param(req, name), 1, INT64_MAX, id))
        return true;
    http_reply_problem(req, PROBLEM_NOT_FOUND, "no such %s", what);
    return false;
}

int api_query_limit(struct http_request *req, struct verrors *errs)
{
    const char *s = http_query(req, "limit");
    int64_t v = API_LIMIT_DEFAULT;
    if (s && !parse_i64(s, 1, API_LIMIT_MAX, &v))
        verr_add(errs, "limit", "must be an integer from 1 to %d", API_LIMIT_MAX);
    return (int)v;
}

void api_query_cursor(struct http_request *req, int64_t *keys, int nkeys, bool *has,
                      struct verrors *errs)
{
    const char *s = http_query(req, "cursor");
    *has = false;
    if (!s)
        return;
    if (!cursor_decode(s, keys, nkeys)) {
        verr_add(errs, "cursor", "is not a cursor this list returned");
        return;
    }
    *has = true;
}

void api_query_time(struct http_request *req, const char *name, hl_time *out, bool *has,
                    struct verrors *errs)
{
    const char *s = http_query(req, name);
    *has = false;
    if (!s)
        return;
    if (!tf_parse_rfc3339(s, out)) {
        verr_add(errs, name, "must be an RFC 3339 date-time, e.g. 2026-11-26T09:00:00+08:00");
        return;
    }
    *has = true;
}

const char *api_query_enum(struct http_request *req, const char *name, const char *const *values,
                           struct verrors *errs)
{
    const char *s = http_query(req, name);
    if (s && enum_index(values, s) < 0) {
        char list[200] = "";
        for (int i = 0; values[i]; i++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", values[i]);
        }
        verr_add(errs, name, "must be one of: %s", list);
        return NULL;
    }
    return s;
}

void api_reply_page(struct http_request *req, char *items, bool more, const int64_t *keys,
                    int nkeys)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "{\"items\":");
    strbuf_puts(&sb, items ? items : "[]");
    free(items);
    if (more) {
        char cur[CURSOR_MAX_LEN];
        cursor_encode(keys, nkeys, cur);
        strbuf_printf(&sb, ",\"next_cursor\":\"%s\"}", cur);
    } else {
        strbuf_puts(&sb, ",\"next_cursor\":null}");
    }
    http_reply_json_text(req, 200, strbuf_steal(&sb, NULL));
}

void api_reply_page_or_db(struct http_request *req, enum db_status s, struct page *page,
                          const char *what)
{
    if (s != DB_OK)
        api_reply_db(req, s, what);
    else
        api_reply_page(req, page->items, page->more, &page->last_key, 1);
}

void api_reply_history(struct http_request *req, const char *what, api_history_fn fn)
{
    int64_t id, after = 0;
    bool has_cursor;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", what, &id))
        return;
    int limit = api_query_limit(req, &errs);
    api_query_cursor(req, &after, 1, &has_cursor, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct page page;
    api_reply_page_or_db(req, fn(http_db(req), id, after, limit, &page), &page, what);
}

void api_set_etag(struct http_request *req, int version)
{
    char etag[24];
    snprintf(etag, sizeof etag, "\"%d\"", version);
    http_add_header(req, "ETag", etag);
}

bool api_if_match_or_reply(struct http_request *req, int *expected)
{
    const char *h = http_header(req, "If-Match");
    *expected = -1;
    if (!h || strcmp(h, "*") == 0)
        return true;
    const char *p = h;
    if (strncmp(p, "W/", 2) == 0)
        p += 2;
    char digits[16];
    size_t len = strlen(p);
    if (len >= 3 && p[0] == '"' && p[len - 1] == '"' && len - 2 < sizeof digits) {
        memcpy(digits, p + 1, len - 2);
        digits[len - 2] = '\0';
    } else {
        snprintf(digits, sizeof digits, "%s", p);
    }
    int64_t v;
    if (!parse_i64(digits, 1, INT32_MAX, &v)) {
        http_reply_problem(req, PROBLEM_PRECONDITION,
                           "If-Match must be an ETag this service returned, e.g. \"3\"");
        return false;
    }
    *expected = (int)v;
    return true;
}

/* ---- Idempotency-Key -------------------------------------------------------------------- */

struct create_run {
    api_create_body body;
    void *ctx;
    struct idem_key key;
    hl_time now;
    int status;
    char *json;
    bool replay, mismatch;
};

static void create_run_reset(struct create_run *r)
{
    free(r->json);
    r->json = NULL;
    r->status = 0;
    r->replay = r->mismatch = false;
}

static enum db_status create_with_key(struct db *db, void *arg)
{
    struct create_run *r = arg;
    create_run_reset(r);
    enum idem_outcome outcome;
    enum db_status s = store_idem_claim(db, &r->key, r->now, &outcome, &r->status, &r->json);
    if (s != DB_OK)
        return s;
    if (outcome != IDEM_NEW) {
        r->replay = outcome == IDEM_REPLAY;
        r->mismatch = outcome == IDEM_MISMATCH;
        return DB_OK; /* nothing was written; committing is harmless */
    }
    s = r->body(db, r->ctx, &r->status, &r->json);
    if (s == DB_OK)
        s = store_idem_save(db, &r->key, r->status, r->json);
    return s;
}

static enum db_status create_plain(struct db *db, void *arg)
{
    struct create_run *r = arg;
    create_run_reset(r);
    return r->body(db, r->ctx, &r->status, &r->json);
}

static bool key_well_formed(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 255)
        return false;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

void api_run_create(struct http_request *req, api_create_body body, void *ctx,
                    api_created_headers headers, const char *what)
{
    const char *key = http_header(req, "Idempotency-Key");
    if (key && !key_well_formed(key)) {
        http_reply_invalid_field(req, "Idempotency-Key",
                                 "must be 1 to 255 visible ASCII characters");
        return;
    }
    char hash[SHA256_HEX_LEN] = "";
    if (key) /* only a keyed request is compared with an earlier one */
        crypto_sha256_hex(req->body ? req->body : "", req->body_len, hash);
    struct create_run run = {
        .body = body,
        .ctx = ctx,
        .key = {req->auth.name, key, req->method, req->path ? req->path : req->route->pattern,
                hash},
        .now = req->now,
    };
    /* Without a key the body runs alone: a single-statement body needs no BEGIN/COMMIT round
     * trips, and a body of several statements opens its own transaction (db_atomically). */
    struct db *db = http_db(req);
    enum db_status s = key ? db_transaction(db, create_with_key, &run) : create_plain(db, &run);
    if (s != DB_OK) {
        api_reply_db(req, s, what);
    } else if (run.mismatch) {
        http_reply_problem(req, PROBLEM_IDEMPOTENCY_KEY,
                           "this Idempotency-Key was already used with a different request");
    } else {
        if (headers)
            headers(req, run.json);
        if (run.replay)
            http_add_header(req, "Idempotent-Replayed", "true");
        http_reply_json_text(req, run.status, run.json);
        run.json = NULL;
    }
    free(run.json);
}
