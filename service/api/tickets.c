/**
 * @file tickets.c
 * @brief /tickets: create (idempotent), read, patch (If-Match), list (keyset), history.
 */
#include "api/tickets.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "config.h"
#include "domain/phone.h"
#include "domain/roles.h"
#include "domain/ticket.h"
#include "store/tickets.h"

/* ---- POST /tickets ------------------------------------------------------------------------ */

struct create_ctx {
    struct ticket_new t;
};

static enum db_status create_body(struct db *db, void *arg, int *status, char **json)
{
    struct create_ctx *c = arg;
    *status = 201;
    return store_ticket_create(db, &c->t, json);
}

/* Location and ETag from a ticket's JSON. */
static void ticket_headers(struct http_request *req, const char *json)
{
    json_t *t = json ? json_loads(json, 0, NULL) : NULL;
    json_int_t id = json_integer_value(json_object_get(t, "id"));
    json_int_t version = json_integer_value(json_object_get(t, "version"));
    if (id > 0) {
        char loc[48];
        snprintf(loc, sizeof loc, "/tickets/%" JSON_INTEGER_FORMAT, id);
        http_add_header(req, "Location", loc);
        api_set_etag(req, (int)version);
    }
    json_decref(t);
}

static bool owner_allowed(const struct http_request *req, const struct ticket_input *in)
{
    if (!in->has_owner || strcmp(in->owner, req->auth.name) == 0)
        return true;
    return (req->auth.role & (ROLES_SUPERVISING | ROLE_CTI)) != 0;
}

void api_tickets_create(struct http_request *req)
{
    struct ticket_input in;
    struct verrors errs = {0};
    if (!ticket_input_for_create(req->json, cfg.country_code, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    if (!owner_allowed(req, &in)) {
        http_reply_problem(req, PROBLEM_FORBIDDEN,
                           "an agent registers tickets as their own; only a supervisor or a "
                           "phone system may name another owner");
        return;
    }
    struct create_ctx c = {
        .t = {.in = &in,
              .owner = in.has_owner ? in.owner : req->auth.name,
              .actor = req->auth.name,
              .now = req->now},
    };
    api_run_create(req, create_body, &c, ticket_headers, "ticket");
}

/* ---- GET /tickets/{id} -------------------------------------------------------------------- */

void api_tickets_get(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "ticket", &id))
        return;
    char *json = NULL;
    int version = 0;
    enum db_status s = store_ticket_get(http_db(req), id, false, &json, &version);
    if (s != DB_OK) {
        api_reply_db(req, s, "ticket");
        return;
    }
    api_set_etag(req, version);
    http_reply_json_text(req, 200, json);
}

/* ---- PATCH /tickets/{id} ------------------------------------------------------------------ */

struct patch_ctx {
    int64_t id;
    int expected; /* -1: any version */
    const struct ticket_input *in;
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
    char *current_text = NULL;
    enum db_status s = store_ticket_get(db, p->id, true, &current_text, &version);
    if (s != DB_OK)
        return s;
    if (p->expected >= 0 && p->expected != version) {
        free(current_text);
        p->stale = true;
        return DB_CONFLICT;
    }
    json_t *current = json_loads(current_text, 0, NULL), *before, *after;
    int changed = ticket_patch_diff(current, p->in, &before, &after);
    json_decref(current);
    if (changed == 0) {
        p->json = current_text;
    } else {
        free(current_text);
        char *b = json_dumps(before, JSON_COMPACT), *a = json_dumps(after, JSON_COMPACT);
        struct ticket_change c = {.id = p->id, .in = p->in, .actor = p->actor,
                                  .event_kind = "updated", .before = b, .after = a,
                                  .now = p->now};
        s = b && a ? store_ticket_update(db, &c, &p->json) : DB_ERROR;
        free(b);
        free(a);
    }
    json_decref(before);
    json_decref(after);
    return s;
}

void api_tickets_patch(struct http_request *req)
{
    int64_t id;
    struct ticket_input in;
    struct verrors errs = {0};
    int expected;
    if (!api_id_or_reply(req, "id", "ticket", &id) || !api_if_match_or_reply(req, &expected))
        return;
    if (json_object_get(req->json, "status")) {
        http_reply_invalid_field(req, "status",
                                 "is changed with POST /tickets/{id}/transitions");
        return;
    }
    if (!ticket_input_for_patch(req->json, cfg.country_code, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct patch_ctx p = {.id = id, .expected = expected, .in = &in, .actor = req->auth.name,
                          .now = req->now};
    enum db_status s = db_transaction(http_db(req), patch_tx, &p);
    if (s == DB_CONFLICT && p.stale)
        http_reply_problem(req, PROBLEM_PRECONDITION,
                           "the ticket changed since you read it; GET it again and retry");
    else if (s != DB_OK)
        api_reply_db(req, s, "ticket");
    else {
        ticket_headers(req, p.json);
        http_reply_json_text(req, 200, p.json);
        p.json = NULL;
    }
    free(p.json);
}

/* ---- GET /tickets ------------------------------------------------------------------------- */

static void read_filter(struct http_request *req, struct ticket_filter *f, char *phone,
                        struct verrors *errs)
{
    memset(f, 0, sizeof *f);
    f->status = api_query_enum(req, "status", ticket_status_names, errs);
    f->cls = api_query_enum(req, "class", ticket_class_names, errs);
    f->kind = api_query_enum(req, "kind", ticket_kind_names, errs);
    f->owner = http_query(req, "owner");
    if (f->owner && (strlen(f->owner) == 0 || strlen(f->owner) > 64))
        verr_add(errs, "owner", "must be 1 to 64 characters");
    const char *p = http_query(req, "phone");
    if (p) {
        if (phone_normalize(p, cfg.country_code, phone))
            f->phone_norm = phone;
        else
            verr_add(errs, "phone", "must be a phone number");
    }
    api_query_time(req, "created_from", &f->created_from, &f->has_from, errs);
    api_query_time(req, "created_to", &f->created_to, &f->has_to, errs);
    f->limit = api_query_limit(req, errs);
    api_query_cursor(req, &f->before_id, 1, &f->has_cursor, errs);
}

void api_tickets_list(struct http_request *req)
{
    struct ticket_filter f;
    char phone[PHONE_NORMAL_MAX];
    struct verrors errs = {0};
    read_filter(req, &f, phone, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct page page;
    enum db_status s = store_ticket_list(http_db(req), &f, &page);
    if (s != DB_OK) {
        api_reply_db(req, s, "ticket");
        return;
    }
    api_reply_page(req, page.items, page.more, &page.last_key, 1);
}

/* ---- GET /tickets/{id}/events ------------------------------------------------------------- */

void api_tickets_events(struct http_request *req)
{
    int64_t id, after = 0;
    bool has_cursor;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &id))
        return;
    int limit = api_query_limit(req, &errs);
    api_query_cursor(req, &after, 1, &has_cursor, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct page page;
    enum db_status s = store_ticket_events(http_db(req), id, after, limit, &page);
    if (s != DB_OK) {
        api_reply_db(req, s, "ticket");
        return;
    }
    api_reply_page(req, page.items, page.more, &page.last_key, 1);
}
