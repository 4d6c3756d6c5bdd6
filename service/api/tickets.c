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
#include "app/tickets.h"
#include "calendar_cache.h"
#include "config.h"
#include "domain/complaint.h"
#include "domain/deadline.h"
#include "domain/ticket_state.h"
#include "jobs/jobs.h"
#include "store/outbox.h"
#include "domain/phone.h"
#include "domain/roles.h"
#include "domain/ticket.h"
#include "store/calls.h"
#include "store/tickets.h"
#include "util/json_scan.h"

/* ---- POST /tickets ------------------------------------------------------------------------ */

struct create_ctx {
    struct ticket_new t;
    struct deadlines d;
    bool needs_followups; /* weekly callbacks or progress notices start with the ticket */
    bool relay;           /* a government ticket: relayed through the outbox at once */
    int64_t id;
};

struct create_and_sync {
    struct create_ctx *c;
    char **json;
};

/* A ticket whose rules start follow-ups (weekly callbacks, progress notices) or a relay, and
 * those, in one transaction. */
static enum db_status create_with_followups(struct db *db, void *arg)
{
    struct create_and_sync *cs = arg;
    free(*cs->json);
    *cs->json = NULL;
    enum db_status s = store_ticket_create(db, &cs->c->t, cs->json, &cs->c->id);
    if (s == DB_OK && cs->c->needs_followups)
        s = store_ticket_sync_followups(db, cs->c->id, cs->c->t.now);
    if (s == DB_OK && cs->c->relay)
        s = store_outbox_emit(db, "government.relay", "ticket", cs->c->id, *cs->json,
                              cs->c->t.now, NULL);
    return s;
}

static enum db_status create_body(struct db *db, void *arg, int *status, char **json)
{
    struct create_ctx *c = arg;
    *status = 201;
    if (!c->needs_followups && !c->relay)
        return store_ticket_create(db, &c->t, json, &c->id);
    struct create_and_sync cs = {c, json};
    return db_atomically(db, create_with_followups, &cs);
}

/* Location and ETag from a ticket's JSON: two top-level members read without parsing the
 * whole representation (parsing it was 39% of a POST's instructions). */
static void ticket_headers(struct http_request *req, const char *json)
{
    int64_t id = 0, version = 0;
    if (json_scan_int(json, "id", &id) && id > 0) {
        char loc[48];
        snprintf(loc, sizeof loc, "/tickets/%" PRId64, id);
        http_add_header(req, "Location", loc);
        if (json_scan_int(json, "version", &version))
            api_set_etag(req, (int)version);
    }
}

static bool owner_allowed(const struct http_request *req, const struct ticket_input *in)
{
    if (!in->has_owner || strcmp(in->owner, req->auth.name) == 0)
        return true;
    return (req->auth.role & (ROLES_SUPERVISING | ROLE_CTI)) != 0;
}

/*
 * A ticket about a known call takes the customer's number from it when none is given, and a
 * phone system registering it makes the agent who took the call its owner (首问负责制).
 * An unknown call_id is kept as given (its events may still be on their way).
 */
static bool prefill_from_call_or_reply(struct http_request *req, struct ticket_input *in,
                                       struct call_brief *call, const char **owner)
{
    if (!in->has_call_id)
        return true;
    enum db_status s = store_call_brief(http_db(req), in->call_id, call);
    if (s == DB_NOT_FOUND)
        return true;
    if (s != DB_OK) {
        api_reply_db(req, s, "call");
        return false;
    }
    if (!in->has_caller_phone && call->number[0]) {
        in->has_caller_phone = true;
        in->caller_phone = call->number;
        memcpy(in->caller_phone_norm, call->number_norm, PHONE_NORMAL_MAX);
    }
    if (!in->has_owner && req->auth.role == ROLE_CTI && call->agent[0])
        *owner = call->agent;
    return true;
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
    struct call_brief call;
    const char *owner = in.has_owner ? in.owner : req->auth.name;
    if (!prefill_from_call_or_reply(req, &in, &call, &owner))
        return;
    const struct calendar *cal;
    enum db_status s = calendar_acquire(http_db(req), &cal);
    if (s != DB_OK) {
        api_reply_db(req, s, "calendar");
        return;
    }
    struct create_ctx c = {
        .t = {.in = &in,
              .owner = owner,
              .actor = req->auth.name,
              .now = req->now},
    };
    bool ok = deadlines_for(cal, in.cls, in.kind, req->now, &c.d);
    calendar_release(cal);
    if (!ok) {
        http_reply_problem(req, PROBLEM_INTERNAL,
                           "the business calendar has no working day ahead; fix the calendar");
        return;
    }
    struct ticket_clock clock = {.status = TICKET_STATUS_NEW, .d = c.d};
    c.t.deadlines = &c.d;
    c.t.has_next_due = ticket_next_due(&clock, &c.t.next_due);
    c.needs_followups = c.d.has[DL_WEEKLY] || c.d.has[DL_PROGRESS];
    c.relay = in.cls == TICKET_CLASS_GOVERNMENT;
    api_run_create(req, create_body, &c, ticket_headers, "ticket");
    if (c.relay && req->reply.status == 201)
        jobs_wake_outbox(); /* 即时转告: deliver now, not at the next pass */
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
    bool not_complaint; /* a complaint record given for a ticket of another kind */
    bool kind_locked;   /* a kind change into or out of complaint after the resolution */
    char *json;
};

/* A complaint record belongs to complaints; and past handling, a complaint stays one (and
 * nothing becomes one), so the review and callback cannot be skipped by a change of kind. */
static bool patch_kind_ok(struct patch_ctx *p, const json_t *current)
{
    const char *kind = json_string_value(json_object_get(current, "kind"));
    const char *status = json_string_value(json_object_get(current, "status"));
    bool was = kind && strcmp(kind, "complaint") == 0;
    bool will = p->in->has_kind ? p->in->kind == TICKET_KIND_COMPLAINT : was;
    bool past_handling = status && (strcmp(status, "resolved") == 0 ||
                                    strcmp(status, "closed") == 0);
    p->not_complaint = p->in->complaint && !will;
    p->kind_locked = was != will && past_handling;
    return !p->not_complaint && !p->kind_locked;
}

/* JSON of a clock's deadlines for history: {"resolve_due_at": "...", ...}. */
static char *deadlines_json(const struct deadlines *d)
{
    static const char *const keys[DL_COUNT] = {"resolve_due_at", "relay_due_at",
                                               "callback_due_at", "next_callback_due_at",
                                               "progress_due_at"};
    json_t *o = json_object();
    for (int k = 0; k < DL_COUNT; k++) {
        char t[48];
        tf_format_rfc3339(d->due[k], 0, t, sizeof t);
        json_object_set_new(o, keys[k], d->has[k] ? json_string(t) : json_null());
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

/* After a change of class or kind the rules are those of the new class, counted from when
 * the ticket was received; the sweeper judges them afresh. */
static enum db_status recompute_deadlines(struct db *db, struct patch_ctx *p)
{
    struct ticket_state st;
    const struct calendar *cal;
    enum db_status s = store_ticket_state_get(db, p->id, true, &st);
    if (s != DB_OK || (s = calendar_acquire(db, &cal)) != DB_OK)
        return s;
    struct ticket_clock clock = st.clock;
    bool ok = deadlines_for(cal, st.cls, st.kind, st.created_at, &clock.d);
    if (ok && st.cls == TICKET_CLASS_GOVERNMENT && st.clock.d.has[DL_CALLBACK]) {
        clock.d.has[DL_CALLBACK] = true; /* the callback still runs from the relay made */
        clock.d.due[DL_CALLBACK] = st.clock.d.due[DL_CALLBACK];
        snprintf(clock.d.rule[DL_CALLBACK], sizeof clock.d.rule[DL_CALLBACK], "%s",
                 "government: the customer called back after the relay");
    }
    calendar_release(cal);
    if (!ok)
        return DB_INVALID;
    clock.breached = clock.warned = 0;
    char *rules = store_deadline_rules_json(&clock.d);
    char *before = deadlines_json(&st.clock.d), *after = deadlines_json(&clock.d);
    struct ticket_state_change c = {.id = p->id, .clock = &clock, .deadline_rules = rules,
                                    .actor = p->actor, .event_kind = "deadlines_recomputed",
                                    .before = before, .after = after, .now = p->now};
    free(p->json);
    p->json = NULL;
    s = rules && before && after ? store_ticket_state_update(db, &c, &p->json) : DB_ERROR;
    free(rules);
    free(before);
    free(after);
    if (s == DB_OK)
        s = store_ticket_sync_followups(db, p->id, p->now);
    return s;
}

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
    if (!patch_kind_ok(p, current)) {
        json_decref(current);
        free(current_text);
        return DB_CONFLICT;
    }
    int changed = ticket_patch_diff(current, p->in, &before, &after);
    json_decref(current);
    bool rules_change = json_object_get(after, "class") || json_object_get(after, "kind");
    if (changed == 0) {
        p->json = current_text;
    } else {
        free(current_text);
        char *b = json_dumps(before, JSON_COMPACT), *a = json_dumps(after, JSON_COMPACT);
        json_t *rec = json_object_get(after, "complaint");
        char *complaint = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
        struct ticket_change c = {.id = p->id, .in = p->in, .actor = p->actor,
                                  .event_kind = "updated", .before = b, .after = a,
                                  .complaint = complaint, .now = p->now};
        s = b && a && (!rec || complaint) ? store_ticket_update(db, &c, &p->json) : DB_ERROR;
        free(b);
        free(a);
        free(complaint);
    }
    json_decref(before);
    json_decref(after);
    if (s == DB_OK && rules_change)
        s = recompute_deadlines(db, p);
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
    else if (s == DB_CONFLICT && p.not_complaint)
        http_reply_invalid_field(req, "complaint",
                                 "only a ticket of kind complaint has a complaint record");
    else if (s == DB_CONFLICT && p.kind_locked)
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "a resolved or archived ticket cannot change kind into or out of "
                           "complaint: its review and satisfaction callback would be skipped");
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
    static const char *const booleans[] = {"false", "true", NULL};
    const char *overdue = api_query_enum(req, "overdue", booleans, errs);
    f->overdue = overdue ? enum_index(booleans, overdue) : -1;
    api_query_time(req, "due_before", &f->due_before, &f->has_due_before, errs);
    static const char *const levels[] = {"0", "1", "2", NULL};
    const char *level = api_query_enum(req, "escalation_level", levels, errs);
    f->escalation_level = level ? enum_index(levels, level) : -1;
    f->stage = api_query_enum(req, "stage", complaint_stage_names, errs);
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
    api_reply_page_or_db(req, store_ticket_list(http_db(req), &f, &page), &page, "ticket");
}

/* ---- GET /tickets/{id}/events ------------------------------------------------------------- */

void api_tickets_events(struct http_request *req)
{
    api_reply_history(req, "ticket", store_ticket_events);
}

/* ---- POST /tickets/{id}/transitions ---------------------------------------------------------- */

static const struct vfield transition_spec[] = {
    {"to", VT_ENUM, VF_REQUIRED, 0, 0, ticket_status_names},
    {"note", VT_STRING, VF_NULLABLE, 1, 2000, NULL},
};

/* What each missing step of a complaint asks for, in the problem's detail. */
static const char *const step_hints[STEP_COUNT] = {
    [STEP_NONE] = "",
    [STEP_RECORD] = "record product, what_happened and customer_wants in the ticket's complaint",
    [STEP_RESOLUTION] = "resolve it first, saying what the customer was told",
    [STEP_REVIEW] = "the customer-service manager reviews it (POST /tickets/{id}/review)",
    [STEP_CALLBACK] = ("the satisfaction callback decides (POST /followups/{id}/attempts on "
                       "its satisfaction follow-up)"),
};

void api_reply_transition_refused(struct http_request *req, const struct ticket_transition *t)
{
    enum ticket_status next[TICKET_STATUS_COUNT];
    int n = ticket_transitions_for(t->kind, t->from, &t->facts, next);
    json_t *allowed = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(allowed, json_string(ticket_status_names[next[i]]));
    char text[160];
    ticket_transitions_text_for(t->kind, t->from, &t->facts, text, sizeof text);
    const char *from = ticket_status_names[t->from], *to = ticket_status_names[t->to];
    json_t *extra = json_pack("{s:s, s:s, s:o}", "from", from, "to", to, "allowed", allowed);
    if (t->missing == STEP_NONE) {
        http_reply_problem_with(req, PROBLEM_TRANSITION, extra,
                                "a %s ticket cannot become %s; allowed: %s", from, to, text);
        return;
    }
    json_object_set_new(extra, "missing_step", json_string(complaint_step_names[t->missing]));
    http_reply_problem_with(req, PROBLEM_TRANSITION, extra,
                            "a %s complaint cannot become %s: missing step %s — %s", from, to,
                            complaint_step_names[t->missing], step_hints[t->missing]);
}

static enum db_status transition_in_tx(struct db *db, void *arg)
{
    struct ticket_transition *t = arg;
    free(t->json);
    t->json = NULL;
    return app_ticket_transition(db, t);
}

void api_tickets_transition(struct http_request *req)
{
    int64_t id;
    int expected;
    struct vvalue v[2];
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &id) || !api_if_match_or_reply(req, &expected))
        return;
    if (!validate_object(req->json, transition_spec, 2, v, cfg.country_code, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct ticket_transition t = {.id = id, .expected = expected,
                                  .to = (enum ticket_status)v[0].num, .note = v[1].str,
                                  .actor = req->auth.name, .now = req->now};
    if (ticket_transition_needs_note(t.to) && !t.note) {
        http_reply_invalid_field(req, "note", t.to == TICKET_STATUS_RESOLVED
                                                  ? "say what the customer was told"
                                                  : "say why the ticket is reopened");
        return;
    }
    enum db_status s = db_transaction(http_db(req), transition_in_tx, &t);
    if (s == DB_CONFLICT && t.stale)
        http_reply_problem(req, PROBLEM_PRECONDITION,
                           "the ticket changed since you read it; GET it again and retry");
    else if (s == DB_CONFLICT && t.refused)
        api_reply_transition_refused(req, &t);
    else if (s != DB_OK)
        api_reply_db(req, s, "ticket");
    else {
        ticket_headers(req, t.json);
        http_reply_json_text(req, 200, t.json);
        t.json = NULL;
    }
    free(t.json);
}

/* ---- GET /tickets/{id}/relays ---------------------------------------------------------------- */

void api_tickets_relays(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "ticket", &id))
        return;
    struct ticket_state st;
    enum db_status s = store_ticket_state_get(http_db(req), id, false, &st);
    char *log = NULL;
    if (s == DB_OK)
        s = store_outbox_log_json(http_db(req), "government.relay", "ticket", id, &log);
    if (s != DB_OK) {
        api_reply_db(req, s, "ticket");
        return;
    }
    size_t len = strlen(log) + 16;
    char *body = malloc(len);
    if (body)
        snprintf(body, len, "{\"items\":%s}", log);
    free(log);
    http_reply_json_text(req, 200, body);
}
