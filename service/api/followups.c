/**
 * @file followups.c
 * @brief Follow-up calls (回访): create by hand, list an agent's queue, record attempts.
 */
#include "api/followups.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "app/complaints.h"
#include "app/tickets.h"
#include "calendar_cache.h"
#include "config.h"
#include "domain/followup.h"
#include "store/followups.h"
#include "store/outbox.h"
#include "store/tickets.h"

/* ---- POST /tickets/{id}/followups ------------------------------------------------------------ */

struct create_ctx {
    int64_t ticket_id;
    struct followup_input in;
    const char *actor;
    hl_time now;
    const struct calendar *cal;
    bool refused;  /* outcome: no number, or no calling window ahead */
    bool no_phone; /* ... and which: neither the body nor the ticket has a number */
};

static enum db_status create_tx(struct db *db, void *arg, int *status, char **json)
{
    struct create_ctx *c = arg;
    char *ticket = NULL;
    enum db_status s = store_ticket_get(db, c->ticket_id, false, &ticket, NULL);
    if (s != DB_OK)
        return s;
    json_t *t = json_loads(ticket, 0, NULL);
    free(ticket);
    const char *phone = c->in.phone ? c->in.phone : json_string_value(json_object_get(t, "caller_phone"));
    const char *norm = c->in.phone ? c->in.phone_norm
                                   : json_string_value(json_object_get(t, "caller_phone_normalized"));
    const char *agent = c->in.agent ? c->in.agent : json_string_value(json_object_get(t, "owner"));
    struct followup_new f = {.kind = c->in.kind, .ticket_id = c->ticket_id, .phone = phone,
                             .phone_norm = norm, .agent = agent, .agent_group = c->in.agent_group,
                             .notes = c->in.notes, .created_by = c->actor, .now = c->now,
                             .urgent = c->in.urgent};
    c->no_phone = !phone;
    c->refused = c->no_phone || !followup_schedule(c->cal, f.kind, f.urgent, c->in.due_at,
                                                   &f.due_at);
    if (c->refused) {
        json_decref(t);
        return DB_CONFLICT;
    }
    int64_t id = 0;
    s = store_followup_create(db, &f, &id);
    json_decref(t);
    if (s == DB_OK)
        s = store_followup_json(db, id, json);
    *status = 201;
    return s;
}

static void followup_headers(struct http_request *req, const char *json)
{
    json_t *f = json ? json_loads(json, 0, NULL) : NULL;
    json_int_t id = json_integer_value(json_object_get(f, "id"));
    if (id > 0) {
        char loc[48];
        snprintf(loc, sizeof loc, "/followups/%" JSON_INTEGER_FORMAT, id);
        http_add_header(req, "Location", loc);
        api_set_etag(req, (int)json_integer_value(json_object_get(f, "version")));
    }
    json_decref(f);
}

void api_followups_create(struct http_request *req)
{
    struct create_ctx c = {.actor = req->auth.name, .now = req->now};
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &c.ticket_id))
        return;
    if (!followup_input_from_json(req->json, cfg.country_code, &c.in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    enum db_status s = calendar_acquire(http_db(req), &c.cal);
    if (s != DB_OK) {
        api_reply_db(req, s, "calendar");
        return;
    }
    api_run_create(req, create_tx, &c, followup_headers, "follow-up");
    calendar_release(c.cal);
    if (c.refused)
        http_reply_invalid_field(req, c.no_phone ? "phone" : "due_at",
                                 c.no_phone ? "the ticket has no caller phone; give one"
                                            : "the calendar has no calling window ahead");
}

/* ---- GET /followups, GET /followups/{id} -------------------------------------------------- */

void api_followups_list(struct http_request *req)
{
    struct followup_filter f = {0};
    struct verrors errs = {0};
    int64_t cur[2] = {0, 0};
    f.status = api_query_enum(req, "status", followup_status_names, &errs);
    f.kind = api_query_enum(req, "kind", followup_kind_names, &errs);
    f.agent = http_query(req, "agent");
    if (f.agent && (!*f.agent || strlen(f.agent) > 64))
        verr_add(&errs, "agent", "must be 1 to 64 characters");
    const char *tid = http_query(req, "ticket_id");
    if (tid) {
        char *end;
        long long v = strtoll(tid, &end, 10);
        if (*end || v < 1)
            verr_add(&errs, "ticket_id", "must be a ticket id");
        f.ticket_id = v;
    }
    api_query_time(req, "due_before", &f.due_before, &f.has_due_before, &errs);
    f.limit = api_query_limit(req, &errs);
    api_query_cursor(req, cur, 2, &f.has_cursor, &errs);
    f.after_due = cur[0];
    f.after_id = cur[1];
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    char *items = NULL;
    bool more = false;
    int64_t keys[2] = {0, 0};
    enum db_status s = store_followups_list(http_db(req), &f, &items, &more, keys);
    if (s != DB_OK) {
        api_reply_db(req, s, "follow-up");
        return;
    }
    api_reply_page(req, items, more, keys, 2);
}

void api_followups_get(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "follow-up", &id))
        return;
    char *json = NULL;
    enum db_status s = store_followup_json(http_db(req), id, &json);
    if (s != DB_OK) {
        api_reply_db(req, s, "follow-up");
        return;
    }
    followup_headers(req, json);
    http_reply_json_text(req, 200, json);
}

/* ---- POST /followups/{id}/attempts ---------------------------------------------------------- */

struct attempt_ctx {
    int64_t id;
    struct attempt_input in;
    const char *actor;
    hl_time now;
    bool closed;       /* outcome: the follow-up was no longer pending */
    bool needs_result; /* outcome: a satisfaction callback reached without a result */
    enum complaint_outcome result; /* a satisfaction callback's result, CO_NONE: none yet */
};

/* The owner is told a follow-up failed: an event on the ticket and a webhook. */
static enum db_status tell_failure(struct db *db, const struct followup_row *row,
                                   const struct attempt_ctx *a)
{
    char after[160];
    snprintf(after, sizeof after,
             "{\"followup_id\":%" PRId64 ",\"kind\":\"%s\",\"outcome\":\"%s\",\"attempts\":%d}",
             row->id, followup_kind_names[row->kind], followup_outcome_names[a->in.outcome],
             row->attempts + 1);
    enum db_status s = DB_OK;
    if (row->ticket_id)
        s = store_ticket_event_add(db, row->ticket_id, a->now, a->actor, "followup_failed", after,
                                   NULL);
    if (s == DB_OK)
        s = store_outbox_emit(db, "followup.failed", "followup", row->id, after, a->now, NULL);
    return s;
}

/* A satisfaction result goes on the ticket's history; the complaint loop reads it there. */
static enum db_status record_satisfaction(struct db *db, const struct followup_row *row,
                                          const struct attempt_ctx *a)
{
    if (!row->ticket_id)
        return DB_OK;
    char after[160];
    snprintf(after, sizeof after, "{\"followup_id\":%" PRId64 ",\"outcome\":\"%s\","
                                  "\"satisfaction\":%d}",
             row->id, followup_outcome_names[a->in.outcome], a->in.satisfaction);
    return store_ticket_event_add(db, row->ticket_id, a->now, a->actor, "satisfaction", after,
                                  a->in.notes);
}

static enum db_status attempt_effects(struct db *db, const struct followup_row *row,
                                      const struct attempt_ctx *a,
                                      const struct attempt_effect *e)
{
    enum db_status s = DB_OK;
    if (e->completed && row->ticket_id)
        s = app_ticket_callback_made(db, row->ticket_id, row->kind, a->actor, a->now);
    if (s == DB_OK && e->completed && row->kind == FOLLOWUP_SATISFACTION)
        s = record_satisfaction(db, row, a);
    if (s == DB_OK && e->failed)
        s = tell_failure(db, row, a);
    /* a complaint awaiting this callback is archived or reopened by its result */
    if (s == DB_OK && a->result != CO_NONE && row->ticket_id)
        s = app_complaint_callback(db, row->ticket_id, a->result, a->in.satisfaction, a->actor,
                                   a->now);
    return s;
}

static enum db_status attempt_tx(struct db *db, void *arg, int *status, char **json)
{
    struct attempt_ctx *a = arg;
    struct followup_row row;
    enum db_status s = store_followup_row(db, a->id, true, &row);
    if (s != DB_OK)
        return s;
    a->closed = row.status != FOLLOWUP_PENDING;
    if (a->closed)
        return DB_CONFLICT;
    const struct calendar *cal;
    if ((s = calendar_acquire(db, &cal)) != DB_OK)
        return s;
    struct attempt_effect e;
    followup_attempt_effect(a->in.outcome, row.attempts + 1, cal->rules.followup_max_attempts,
                            &e);
    a->result = CO_NONE;
    if (row.kind == FOLLOWUP_SATISFACTION)
        a->result = complaint_callback_outcome(&e, a->in.outcome, a->in.satisfied,
                                               a->in.satisfaction,
                                               cal->rules.satisfaction_min_score,
                                               &a->needs_result);
    if (a->needs_result) {
        calendar_release(cal);
        return DB_CONFLICT;
    }
    struct followup_attempt_write w = {.id = a->id,
                                       .outcome = followup_outcome_names[a->in.outcome],
                                       .notes = a->in.notes, .call_id = a->in.call_id,
                                       .actor = a->actor, .satisfaction = a->in.satisfaction,
                                       .status = e.status, .reschedule = e.reschedule,
                                       .now = a->now};
    bool ok = !e.reschedule ||
              followup_schedule(cal, row.kind, row.urgent,
                                a->now + HL_MIN(cal->rules.followup_retry_minutes), &w.due_at);
    calendar_release(cal);
    if (!ok)
        return DB_INVALID;
    s = store_followup_attempt(db, &w, json);
    if (s == DB_OK)
        s = attempt_effects(db, &row, a, &e);
    if (s == DB_OK && !*json)
        s = DB_ERROR;
    if (s == DB_OK) {
        /* effects changed the follow-up's ticket, not the follow-up: the JSON stands */
        *status = 201;
    }
    return s;
}

/* api_run_create runs the body without a transaction when no key is given. */
struct attempt_run {
    struct attempt_ctx *a;
    int *status;
    char **json;
};

static enum db_status attempt_atomic(struct db *db, void *arg)
{
    struct attempt_run *r = arg;
    free(*r->json);
    *r->json = NULL;
    return attempt_tx(db, r->a, r->status, r->json);
}

static enum db_status attempt_body(struct db *db, void *arg, int *status, char **json)
{
    struct attempt_run r = {arg, status, json};
    return db_atomically(db, attempt_atomic, &r);
}

void api_followups_attempt(struct http_request *req)
{
    struct attempt_ctx a = {.actor = req->auth.name, .now = req->now};
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "follow-up", &a.id))
        return;
    if (!attempt_input_from_json(req->json, &a.in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    api_run_create(req, attempt_body, &a, followup_headers, "follow-up");
    if (req->reply.status == 409 && a.closed)
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "this follow-up is no longer pending; no attempt can be added");
    else if (req->reply.status == 409 && a.needs_result)
        http_reply_invalid_field(req, "satisfaction",
                                 "a satisfaction callback that reached the customer needs the "
                                 "result: a score (1-5) or \"satisfied\": true or false");
}
