/**
 * @file calls.c
 * @brief /calls, /cti/zammad, /callers. An event is recorded once (retries are duplicates), then
 *        its call's record is derived again from all the call's events, and the missed-call
 *        task of the caller's number is created or closed — all in one transaction.
 */
#include "api/calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "calendar_cache.h"
#include "store/outbox.h"
#include "config.h"
#include "domain/call.h"
#include "domain/followup.h"
#include "domain/zammad.h"
#include "store/calls.h"
#include "store/followups.h"
#include "store/tickets.h"

/* ---- ingestion ---------------------------------------------------------------------------- */

enum ev_result { EV_REJECTED, EV_APPLIED, EV_DUPLICATE };

/* A batch of events to record; valid[i] false for events refused before the transaction. */
struct ingest {
    struct call_event *ev;
    bool *valid;
    enum ev_result *result;
    size_t n;
    const char *source, *actor;
    hl_time now, threshold;
};

/* The webhook call.missed, in the same transaction as the record that says so. */
static enum db_status tell_missed(struct db *db, const struct ingest *g, const char *call_id,
                                  const struct call_record *r, int64_t task)
{
    json_t *p = json_pack("{s:s, s:s?, s:s, s:I}", "call_id", call_id, "from", r->from, "outcome",
                          r->outcome == CALL_OUTCOME_ABANDONED ? "abandoned" : "missed",
                          "followup_id", (json_int_t)task);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    enum db_status s = text ? store_outbox_emit(db, "call.missed", "followup", task, text, g->now, NULL)
                            : DB_ERROR;
    free(text);
    return s;
}

/* A missed inbound call: join the number's pending callback task, or create one — unless the
 * number was reached since the call began. */
static enum db_status open_missed_task(struct db *db, const struct ingest *g, const char *call_id,
                                       const struct call_record *r, const char *number)
{
    bool reached = false;
    int64_t task = 0;
    enum db_status s = store_call_reached_since(db, number, r->offered_at, call_id, &reached);
    if (s != DB_OK || reached)
        return s;
    s = store_missed_task_pending(db, number, &task);
    if (s == DB_OK && task == 0) {
        /* the callback is an ordinary follow-up: due in the next calling window */
        const struct calendar *cal;
        hl_time due = r->ended_at;
        if ((s = calendar_acquire(db, &cal)) != DB_OK)
            return s;
        bool scheduled = followup_schedule(cal, FOLLOWUP_MISSED_CALL, false, r->ended_at, &due);
        calendar_release(cal);
        if (!scheduled)
            due = r->ended_at;
        struct followup_new f = {
            .kind = FOLLOWUP_MISSED_CALL,
            .phone = r->from,
            .phone_norm = number,
            .due_at = due,
            .agent_group = r->queue,
            .notes = r->outcome == CALL_OUTCOME_ABANDONED ? "abandoned call: call back"
                                                          : "missed call: call back",
            .source_call_id = call_id,
            .created_by = g->actor,
            .now = g->now,
        };
        s = store_followup_create(db, &f, &task);
    }
    if (s == DB_OK)
        s = tell_missed(db, g, call_id, r, task);
    return s == DB_OK ? store_call_set_followup(db, call_id, task) : s;
}

/* Keep the number's missed-call tasks in step with what this call's record now says. */
static enum db_status reconcile_tasks(struct db *db, const struct ingest *g, const char *call_id,
                                      const struct call_record *r, int64_t task)
{
    const char *reached = call_reached_number(r);
    const char *callback = call_callback_number(r);
    enum db_status s = DB_OK;
    if (reached) {
        int closed = 0;
        if (task)
            s = store_call_set_followup(db, call_id, 0); /* answered after all */
        if (s == DB_OK)
            s = store_call_lock_number(db, reached);
        if (s == DB_OK)
            s = store_missed_tasks_close(db, reached, call_id, r->answered_at, g->actor, g->now,
                                         &closed);
    } else if (callback && !task) {
        s = store_call_lock_number(db, callback);
        if (s == DB_OK)
            s = open_missed_task(db, g, call_id, r, callback);
    }
    return s;
}

/* Derive one call's record again from all its events and save it. */
static enum db_status apply_call(struct db *db, const struct ingest *g, const char *call_id)
{
    struct call_event_list list;
    enum db_status s = store_call_lock(db, call_id);
    if (s != DB_OK)
        return s;
    s = store_call_events_load(db, call_id, &list);
    if (s != DB_OK)
        return s;
    if (list.n > 0) {
        struct call_record rec;
        int64_t task = 0;
        call_derive(list.ev, list.n, g->threshold, &rec);
        s = store_call_save(db, call_id, &rec, g->now, &task);
        if (s == DB_OK)
            s = reconcile_tasks(db, g, call_id, &rec, task);
    }
    call_event_list_free(&list);
    return s;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct calls of the applied events, sorted so that concurrent batches lock in one
 * order. @return how many (ids has room for g->n) */
static size_t touched_calls(const struct ingest *g, const char **ids)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->result[i] == EV_APPLIED)
            ids[n++] = g->ev[i].call_id;
    qsort(ids, n, sizeof *ids, compare_strings);
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (out == 0 || strcmp(ids[out - 1], ids[i]) != 0)
            ids[out++] = ids[i];
    return out;
}

static enum db_status ingest_tx(struct db *db, void *arg)
{
    struct ingest *g = arg;
    enum db_status s = DB_OK;
    for (size_t i = 0; i < g->n && s == DB_OK; i++) {
        g->result[i] = EV_REJECTED;
        bool applied = false;
        if (!g->valid[i])
            continue;
        s = store_call_event_insert(db, &g->ev[i], g->source, g->actor, g->now, &applied);
        g->result[i] = applied ? EV_APPLIED : EV_DUPLICATE;
    }
    const char **ids = calloc(g->n ? g->n : 1, sizeof *ids);
    if (!ids)
        return DB_ERROR;
    size_t ncalls = s == DB_OK ? touched_calls(g, ids) : 0;
    for (size_t i = 0; i < ncalls && s == DB_OK; i++)
        s = apply_call(db, g, ids[i]);
    free(ids);
    return s;
}

static json_t *event_result(const struct ingest *g, size_t i)
{
    const char *status = g->result[i] == EV_APPLIED ? "applied" : "duplicate";
    return json_pack("{s:s, s:b, s:s, s:s}", "status", status, "duplicate",
                     g->result[i] == EV_DUPLICATE, "call_id", g->ev[i].call_id, "event",
                     call_event_names[g->ev[i].kind]);
}

static json_t *verrors_json(const struct verrors *e)
{
    json_t *arr = json_array();
    for (int i = 0; i < e->n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "field", e->e[i].field, "message",
                                             e->e[i].message));
    return arr;
}

/* Record the events; false after replying with the store's failure. */
static bool ingest_or_reply(struct http_request *req, struct ingest *g)
{
    g->actor = req->auth.name;
    g->now = req->now;
    g->threshold = HL_SEC(cfg.ring_threshold_s);
    enum db_status s = db_transaction(http_db(req), ingest_tx, g);
    if (s == DB_OK)
        return true;
    api_reply_db(req, s, "call event");
    return false;
}

/* One event: 200 applied or duplicate, 400 when invalid. */
static void ingest_single(struct http_request *req, struct call_event *ev, const char *source)
{
    bool valid = true;
    enum ev_result result = EV_REJECTED;
    struct ingest g = {.ev = ev, .valid = &valid, .result = &result, .n = 1, .source = source};
    if (ingest_or_reply(req, &g))
        http_reply_json(req, 200, event_result(&g, 0));
}

/* Every error of every refused event, prefixed with its index, for a batch refused whole. */
static void reply_batch_invalid(struct http_request *req, const struct verrors *errs, size_t n)
{
    struct verrors all = {0};
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < errs[i].n; k++) {
            char field[96];
            snprintf(field, sizeof field, "[%zu]%s%s", i, errs[i].e[k].field[0] ? "." : "",
                     errs[i].e[k].field);
            verr_add(&all, field, "%s", errs[i].e[k].message);
        }
    http_reply_invalid(req, &all);
}

static void reply_batch(struct http_request *req, const struct ingest *g,
                        const struct verrors *errs)
{
    json_t *results = json_array();
    int counts[3] = {0};
    for (size_t i = 0; i < g->n; i++) {
        json_t *r = g->valid[i] ? event_result(g, i)
                                : json_pack("{s:s, s:o}", "status", "rejected", "errors",
                                            verrors_json(&errs[i]));
        json_object_set_new(r, "index", json_integer((json_int_t)i));
        json_array_append_new(results, r);
        counts[g->valid[i] ? g->result[i] : EV_REJECTED]++;
    }
    http_reply_json(req, 200,
                    json_pack("{s:i, s:i, s:i, s:o}", "applied", counts[EV_APPLIED], "duplicates",
                              counts[EV_DUPLICATE], "rejected", counts[EV_REJECTED], "results",
                              results));
}

static void ingest_batch(struct http_request *req)
{
    size_t n = json_array_size(req->json);
    if (n == 0 || n > CALL_BATCH_MAX) {
        http_reply_invalid_field(req, "", "a batch holds 1 to 100 events");
        return;
    }
    struct ingest g = {.n = n, .source = "events"};
    struct verrors *errs = calloc(n, sizeof *errs);
    g.ev = calloc(n, sizeof *g.ev);
    g.valid = calloc(n, sizeof *g.valid);
    g.result = calloc(n, sizeof *g.result);
    size_t nvalid = 0;
    if (!errs || !g.ev || !g.valid || !g.result) {
        http_reply_problem(req, PROBLEM_INTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        g.valid[i] = call_event_parse(json_array_get(req->json, i), cfg.country_code, req->now,
                                      &g.ev[i], &errs[i]);
        nvalid += g.valid[i];
    }
    if (nvalid == 0)
        reply_batch_invalid(req, errs, n);
    else if (ingest_or_reply(req, &g))
        reply_batch(req, &g, errs);
out:
    free(errs);
    free(g.ev);
    free(g.valid);
    free(g.result);
}

void api_calls_events(struct http_request *req)
{
    if (json_is_array(req->json)) {
        ingest_batch(req);
        return;
    }
    struct call_event ev;
    struct verrors errs = {0};
    if (!call_event_parse(req->json, cfg.country_code, req->now, &ev, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    ingest_single(req, &ev, "events");
}

void api_calls_zammad(struct http_request *req)
{
    struct call_event ev;
    struct verrors errs = {0};
    if (!zammad_to_event(req->json, cfg.country_code, req->now, &ev, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    ingest_single(req, &ev, "zammad");
}

/* ---- reading ------------------------------------------------------------------------------ */

static void read_filter(struct http_request *req, struct call_filter *f, char *number,
                        struct verrors *errs)
{
    memset(f, 0, sizeof *f);
    f->direction = api_query_enum(req, "direction", call_direction_names, errs);
    f->outcome = api_query_enum(req, "outcome", call_outcome_names, errs);
    f->agent = http_query(req, "agent");
    if (f->agent && (strlen(f->agent) == 0 || strlen(f->agent) > CALL_AGENT_MAX))
        verr_add(errs, "agent", "must be 1 to %d characters", CALL_AGENT_MAX);
    const char *p = http_query(req, "number");
    if (p) {
        if (phone_normalize(p, cfg.country_code, number))
            f->number_norm = number;
        else
            verr_add(errs, "number", "must be a phone number");
    }
    api_query_time(req, "offered_from", &f->offered_from, &f->has_from, errs);
    api_query_time(req, "offered_to", &f->offered_to, &f->has_to, errs);
    f->limit = api_query_limit(req, errs);
    api_query_cursor(req, f->cursor, 2, &f->has_cursor, errs);
}

void api_calls_list(struct http_request *req)
{
    struct call_filter f;
    char number[PHONE_NORMAL_MAX];
    struct verrors errs = {0};
    read_filter(req, &f, number, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct call_page page;
    enum db_status s = store_call_list(http_db(req), &f, &page);
    if (s != DB_OK) {
        api_reply_db(req, s, "call");
        return;
    }
    api_reply_page(req, page.items, page.more, page.last_key, 2);
}

void api_calls_get(struct http_request *req)
{
    char *json = NULL;
    enum db_status s = store_call_get(http_db(req), http_param(req, "call_id"), &json);
    if (s != DB_OK) {
        api_reply_db(req, s, "call");
        return;
    }
    http_reply_json_text(req, 200, json);
}

void api_callers_get(struct http_request *req)
{
    char number[PHONE_NORMAL_MAX];
    if (!phone_normalize(http_param(req, "phone"), cfg.country_code, number)) {
        http_reply_invalid_field(req, "phone", "must be a phone number (digits, optional "
                                               "leading +, spaces or dashes; 3 to 15 digits)");
        return;
    }
    char *json = NULL;
    enum db_status s = store_caller_screen(http_db(req), number, &json);
    if (s != DB_OK) {
        api_reply_db(req, s, "caller");
        return;
    }
    http_reply_json_text(req, 200, json);
}

/* ---- POST /calls/{call_id}/tickets -------------------------------------------------------- */

struct link_ctx {
    int64_t ticket_id;
    const char *call_id, *actor;
    hl_time now;
    bool other_call; /* the ticket is about another call */
    bool no_call;
    char *json;
};

/* The change a link makes, as history: the call id, and the number when the ticket had none. */
static enum db_status write_link(struct db *db, struct link_ctx *l, const json_t *ticket,
                                 const struct call_brief *b)
{
    bool set_phone = json_is_null(json_object_get(ticket, "caller_phone")) && b->number[0];
    json_t *before = json_pack("{s:n}", "call_id"), *after = json_pack("{s:s}", "call_id",
                                                                         l->call_id);
    if (set_phone) {
        json_object_set_new(before, "caller_phone", json_null());
        json_object_set_new(after, "caller_phone", json_string(b->number));
    }
    char *bt = json_dumps(before, JSON_COMPACT), *at = json_dumps(after, JSON_COMPACT);
    struct ticket_call_link link = {.id = l->ticket_id, .call_id = l->call_id,
                                    .set_phone = set_phone, .phone = b->number,
                                    .phone_norm = b->number_norm, .actor = l->actor,
                                    .before = bt, .after = at, .now = l->now};
    enum db_status s = bt && at ? store_ticket_link_call(db, &link, &l->json) : DB_ERROR;
    free(bt);
    free(at);
    json_decref(before);
    json_decref(after);
    return s;
}

static enum db_status link_tx(struct db *db, void *arg)
{
    struct link_ctx *l = arg;
    free(l->json);
    l->json = NULL;
    l->other_call = l->no_call = false;
    char *text = NULL;
    struct call_brief b;
    enum db_status s = store_call_brief(db, l->call_id, &b);
    l->no_call = s == DB_NOT_FOUND;
    if (s == DB_OK)
        s = store_ticket_get(db, l->ticket_id, true, &text, NULL);
    if (s != DB_OK)
        return s;
    json_t *ticket = json_loads(text, 0, NULL);
    const char *linked = json_string_value(json_object_get(ticket, "call_id"));
    if (linked && strcmp(linked, l->call_id) == 0) {
        l->json = text; /* already linked: nothing changes */
        text = NULL;
    } else if (linked) {
        l->other_call = true;
        s = DB_CONFLICT;
    } else {
        s = write_link(db, l, ticket, &b);
    }
    json_decref(ticket);
    free(text);
    return s;
}

void api_calls_link_ticket(struct http_request *req)
{
    static const struct vfield spec[] = {{"ticket_id", VT_INT, VF_REQUIRED, 1, INT64_MAX, NULL}};
    struct vvalue v[1];
    struct verrors errs = {0};
    if (!validate_object(req->json, spec, 1, v, cfg.country_code, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct link_ctx l = {.ticket_id = v[0].num, .call_id = http_param(req, "call_id"),
                         .actor = req->auth.name, .now = req->now};
    enum db_status s = db_transaction(http_db(req), link_tx, &l);
    if (s == DB_CONFLICT && l.other_call)
        http_reply_problem(req, PROBLEM_CONFLICT, "the ticket is already linked to another call");
    else if (s != DB_OK)
        api_reply_db(req, s, l.no_call ? "call" : "ticket");
    else {
        json_t *t = json_loads(l.json, 0, NULL);
        api_set_etag(req, (int)json_integer_value(json_object_get(t, "version")));
        json_decref(t);
        http_reply_json_text(req, 200, l.json);
        l.json = NULL;
    }
    free(l.json);
}
