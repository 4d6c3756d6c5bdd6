/**
 * @file customers.c
 * @brief /customers: create (idempotent), read, patch (If-Match), search (keyset). Every read
 *        of customer data is written to the audit history first.
 */
#include "api/customers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/common.h"
#include "config.h"
#include "domain/customer.h"
#include "store/customers.h"

/* Location and ETag from a customer's JSON. */
static void customer_headers(struct http_request *req, const char *json)
{
    json_t *c = json ? json_loads(json, 0, NULL) : NULL;
    json_int_t id = json_integer_value(json_object_get(c, "id"));
    if (id > 0) {
        char loc[48];
        snprintf(loc, sizeof loc, "/customers/%" JSON_INTEGER_FORMAT, id);
        http_add_header(req, "Location", loc);
        api_set_etag(req, (int)json_integer_value(json_object_get(c, "version")));
    }
    json_decref(c);
}

/* ---- POST /customers ------------------------------------------------------------------------- */

struct create_ctx {
    const struct customer_input *in;
    const char *actor;
    hl_time now;
};

static enum db_status create_body(struct db *db, void *arg, int *status, char **json)
{
    struct create_ctx *c = arg;
    *status = 201;
    return store_customer_create(db, c->in, c->actor, c->now, json, NULL);
}

void api_customers_create(struct http_request *req)
{
    struct customer_input in;
    struct verrors errs = {0};
    if (!customer_from_json(req->json, cfg.country_code, false, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct create_ctx c = {&in, req->auth.name, req->now};
    api_run_create(req, create_body, &c, customer_headers,
                   "customer (account_number is taken)");
}

/* ---- GET /customers/{id} ------------------------------------------------------------------ */

void api_customers_get(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "customer", &id))
        return;
    char *json = NULL, subject[40];
    int version = 0;
    enum db_status s = store_customer_get(http_db(req), id, false, &json, &version);
    if (s != DB_OK) {
        api_reply_db(req, s, "customer");
        return;
    }
    snprintf(subject, sizeof subject, "customer:%" PRId64, id);
    if (!api_audit_or_reply(req, "customers.read", subject, NULL)) {
        free(json);
        return;
    }
    api_set_etag(req, version);
    http_reply_json_text(req, 200, json);
}

/* ---- PATCH /customers/{id} ---------------------------------------------------------------- */

struct patch_ctx {
    int64_t id;
    int expected;
    const struct customer_input *in;
    const char *actor;
    hl_time now;
    bool stale;
    char *json;
};

static enum db_status patch_tx(struct db *db, void *arg)
{
    struct patch_ctx *p = arg;
    free(p->json);
    p->json = NULL;
    p->stale = false;
    int version = 0;
    enum db_status s = store_customer_get(db, p->id, true, &p->json, &version);
    if (s != DB_OK)
        return s;
    if (p->expected >= 0 && p->expected != version) {
        p->stale = true;
        return DB_CONFLICT;
    }
    free(p->json);
    p->json = NULL;
    return store_customer_update(db, p->id, p->in, p->actor, p->now, &p->json);
}

void api_customers_patch(struct http_request *req)
{
    int64_t id;
    int expected;
    struct customer_input in;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "customer", &id) || !api_if_match_or_reply(req, &expected))
        return;
    if (!customer_from_json(req->json, cfg.country_code, true, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct patch_ctx p = {.id = id, .expected = expected, .in = &in, .actor = req->auth.name,
                          .now = req->now};
    enum db_status s = db_transaction(http_db(req), patch_tx, &p);
    if (s == DB_CONFLICT && p.stale)
        http_reply_problem(req, PROBLEM_PRECONDITION,
                           "the customer changed since you read it; GET it again and retry");
    else if (s != DB_OK)
        api_reply_db(req, s, "customer");
    else {
        customer_headers(req, p.json);
        http_reply_json_text(req, 200, p.json);
        p.json = NULL;
    }
    free(p.json);
}

/* ---- GET /customers -------------------------------------------------------------------------- */

static const char *text_query(struct http_request *req, const char *name, size_t max,
                              struct verrors *errs)
{
    const char *s = http_query(req, name);
    if (s && (strlen(s) < 1 || strlen(s) > max || !text_is_clean(s))) {
        verr_add(errs, name, "must be 1 to %zu characters", max);
        return NULL;
    }
    return s;
}

static void read_filter(struct http_request *req, struct customer_filter *f, char *phone,
                        struct verrors *errs)
{
    memset(f, 0, sizeof *f);
    f->area = text_query(req, "area", CUSTOMER_PLACE_MAX, errs);
    f->street = text_query(req, "street", CUSTOMER_PLACE_MAX, errs);
    f->tag = text_query(req, "tag", CUSTOMER_TAG_MAX, errs);
    f->q = text_query(req, "q", 100, errs);
    const char *p = http_query(req, "phone");
    if (p) {
        if (strlen(p) <= 40 && phone_normalize(p, cfg.country_code, phone))
            f->phone_norm = phone;
        else
            verr_add(errs, "phone", "must be a phone number");
    }
    f->limit = api_query_limit(req, errs);
    api_query_cursor(req, &f->before_id, 1, &f->has_cursor, errs);
}

/* What a search asked for, for the audit history (filters, not results). */
static json_t *filter_detail(const struct customer_filter *f, int returned)
{
    json_t *d = json_pack("{s:i}", "returned", returned);
    const char *keys[] = {"area", "street", "tag", "q"};
    const char *vals[] = {f->area, f->street, f->tag, f->q};
    for (int i = 0; i < 4; i++)
        if (vals[i])
            json_object_set_new(d, keys[i], json_string(vals[i]));
    if (f->phone_norm)
        json_object_set_new(d, "phone", json_true()); /* searched by a number: not which */
    return d;
}

void api_customers_list(struct http_request *req)
{
    struct customer_filter f;
    char phone[PHONE_NORMAL_MAX];
    struct verrors errs = {0};
    read_filter(req, &f, phone, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct page page;
    enum db_status s = store_customer_list(http_db(req), &f, &page);
    if (s != DB_OK) {
        api_reply_db(req, s, "customer");
        return;
    }
    if (!api_audit_or_reply(req, "customers.list", "customers", filter_detail(&f, page.count))) {
        page_free(&page);
        return;
    }
    api_reply_page(req, page.items, page.more, &page.last_key, 1);
}
