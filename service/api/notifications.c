/**
 * @file notifications.c
 * @brief Notifying the customers an incident affects, one by one (逐户通知).
 */
#include "api/notifications.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/common.h"
#include "config.h"
#include "domain/incident_state.h"
#include "domain/notify.h"
#include "domain/roles.h"
#include "store/incidents.h"
#include "store/notifications.h"

static struct notify_policy policy(void)
{
    return (struct notify_policy){.retry_minutes = cfg.notify_retry_minutes,
                                  .max_attempts = cfg.notify_max_attempts,
                                  .claim_minutes = cfg.notify_claim_minutes};
}

/* The round of the incident's current phase: the all-clear once the hazard is over. */
static enum notify_round phase_round(enum incident_status s)
{
    return s == INCIDENT_RESOLVED || s == INCIDENT_CLOSED ? ROUND_ALL_CLEAR : ROUND_ALERT;
}

/* The incident's status, or a reply (404, 503). */
static bool incident_or_reply(struct http_request *req, int64_t id, bool lock,
                              struct incident_state *st)
{
    enum db_status s = store_incident_state(http_db(req), id, lock, st);
    if (s == DB_OK)
        return true;
    api_reply_db(req, s, "incident");
    return false;
}

/* ---- POST /incidents/{id}/notifications ----------------------------------------------------- */

struct build_ctx {
    int64_t id;
    const struct selection *sel;
    const char *actor;
    hl_time now;
    enum incident_status status;
    bool wrong_phase;
    struct build_counts counts;
};

static bool round_open(enum notify_round r, enum incident_status s)
{
    if (r == ROUND_ALERT)
        return s != INCIDENT_RESOLVED && s != INCIDENT_CLOSED;
    return s == INCIDENT_RESOLVED;
}

static enum db_status build_tx(struct db *db, void *arg)
{
    struct build_ctx *b = arg;
    struct incident_state st;
    b->wrong_phase = false;
    enum db_status s = store_incident_state(db, b->id, true, &st); /* one build at a time */
    if (s != DB_OK)
        return s;
    b->status = st.clock.status;
    if (!round_open(b->sel->round, b->status)) {
        b->wrong_phase = true;
        return DB_CONFLICT;
    }
    return store_notifications_build(db, b->id, b->sel, b->actor, b->now, &b->counts);
}

void api_notifications_build(struct http_request *req)
{
    int64_t id;
    struct selection sel;
    struct verrors errs = {0};
    struct incident_state st;
    if (!api_id_or_reply(req, "id", "incident", &id) || !incident_or_reply(req, id, false, &st))
        return;
    if (!selection_from_json(req->json, phase_round(st.clock.status), &sel, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct build_ctx b = {.id = id, .sel = &sel, .actor = req->auth.name, .now = req->now};
    enum db_status s = db_transaction(http_db(req), build_tx, &b);
    if (s == DB_CONFLICT && b.wrong_phase)
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "a %s incident takes no %s list: alerts until it is resolved, the "
                           "all-clear once it is resolved",
                           incident_status_names[b.status], notify_round_names[sel.round]);
    else if (s != DB_OK)
        api_reply_db(req, s, "incident");
    else
        http_reply_json(req, 200,
                        json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "incident_id",
                                  (json_int_t)id, "round", notify_round_names[sel.round],
                                  "selected", (json_int_t)b.counts.selected, "pending",
                                  (json_int_t)b.counts.pending, "no_contact",
                                  (json_int_t)b.counts.no_contact, "already_listed",
                                  (json_int_t)b.counts.already_listed));
    selection_cleanup(&sel);
}

/* ---- GET /incidents/{id}/notifications -------------------------------------------------------- */

void api_notifications_list(struct http_request *req)
{
    struct notification_filter f = {0};
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "incident", &f.incident_id))
        return;
    f.round = api_query_enum(req, "round", notify_round_names, &errs);
    f.status = api_query_enum(req, "status", notify_status_names, &errs);
    f.limit = api_query_limit(req, &errs);
    api_query_cursor(req, &f.after_id, 1, &f.has_cursor, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct page page;
    enum db_status s = store_notification_list(http_db(req), &f, &page);
    if (s != DB_OK) {
        api_reply_db(req, s, "incident");
        return;
    }
    char subject[40];
    snprintf(subject, sizeof subject, "incident:%" PRId64, f.incident_id);
    json_t *detail = json_pack("{s:s?, s:s?, s:i}", "round", f.round, "status", f.status,
                               "returned", page.count);
    if (!api_audit_or_reply(req, "incident.notifications.list", subject, detail)) {
        page_free(&page);
        return;
    }
    api_reply_page(req, page.items, page.more, &page.last_key, 1);
}

/* ---- POST /incidents/{id}/notifications/claim ------------------------------------------------- */

void api_notifications_claim(struct http_request *req)
{
    int64_t id;
    struct incident_state st;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "incident", &id))
        return;
    const char *round_name = api_query_enum(req, "round", notify_round_names, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    if (!incident_or_reply(req, id, false, &st))
        return;
    if (st.clock.status == INCIDENT_CLOSED) {
        http_reply_problem(req, PROBLEM_CONFLICT, "the incident is closed; nobody is called now");
        return;
    }
    enum notify_round round = round_name ? (enum notify_round)enum_index(notify_round_names,
                                                                         round_name)
                                         : phase_round(st.clock.status);
    char *json = NULL;
    enum db_status s = store_notification_claim(http_db(req), id, round, req->auth.name,
                                                req->now, cfg.notify_claim_minutes, &json);
    if (s != DB_OK)
        api_reply_db(req, s, "notification");
    else if (!json) {
        req->reply.status = 204; /* nobody to call now */
        req->replied = true;
    } else
        http_reply_json_text(req, 200, json);
}

/* ---- POST /incidents/{id}/notifications/{nid}/result ----------------------------------------- */

static const struct vfield result_spec[] = {
    {"result", VT_ENUM, 0, 0, 0, notify_result_names}, /* or taken from call_id's call */
    {"call_id", VT_STRING, VF_NULLABLE, 1, 255, NULL},
    {"note", VT_STRING, VF_NULLABLE, 1, 2000, NULL},
};

struct result_ctx {
    int64_t incident_id, id;
    bool has_result;
    struct notification_result r;
    struct notify_outcome outcome;
    bool may_override; /* supervisors record for any open notification */
    const char *why;   /* a conflict, in words */
    char *json;
};

static const char *result_conflict(const struct result_ctx *c, const struct notification_state *n)
{
    if (notify_status_final(n->status) || n->status == NS_NO_CONTACT)
        return "this customer's notification is already decided";
    if (c->may_override)
        return NULL;
    if (n->status == NS_PENDING)
        return "claim the customer first (POST .../notifications/claim)";
    if (strcmp(n->claimed_by, c->r.actor) != 0)
        return "another agent is calling this customer";
    return NULL;
}

/* A result given with the call it came from must fit that call; without one, the call's
 * record gives it (the calls issue's PBX events). */
static enum db_status check_call(struct db *db, struct result_ctx *c)
{
    static const char *const why[] = {
        [NC_UNKNOWN] = "the phone system has not reported this call; give the result",
        [NC_NOT_LISTED] = "this call was not to or from the customer's numbers",
        [NC_NOT_ENDED] = "this call has not ended; give the result or wait for its end",
    };
    struct notify_call call;
    enum db_status s = store_notification_call(db, c->id, c->r.call_id, &call);
    if (s != DB_OK)
        return s;
    enum notify_call_verdict v = notify_result_from_call(&call, c->has_result, &c->r.result);
    if (v == NC_OK)
        return DB_OK;
    c->why = why[v];
    return DB_CONFLICT;
}

static enum db_status result_tx(struct db *db, void *arg)
{
    struct result_ctx *c = arg;
    free(c->json);
    c->json = NULL;
    c->why = NULL;
    struct notification_state n;
    enum db_status s = store_notification_state(db, c->incident_id, c->id, &n);
    if (s != DB_OK)
        return s;
    if ((c->why = result_conflict(c, &n)) != NULL)
        return DB_CONFLICT;
    if (c->r.call_id && (s = check_call(db, c)) != DB_OK)
        return s;
    struct notify_policy p = policy();
    notify_apply_result(n.attempts, c->r.result, c->r.now, &p, &c->outcome);
    c->r.id = c->id;
    c->r.outcome = &c->outcome;
    return store_notification_record(db, &c->r, &c->json);
}

void api_notifications_result(struct http_request *req)
{
    int64_t id, nid;
    struct vvalue v[3];
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "incident", &id) ||
        !api_id_or_reply(req, "nid", "notification", &nid))
        return;
    if (!validate_object(req->json, result_spec, 3, v, cfg.country_code, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    if (!v[0].present && !v[1].str) {
        http_reply_invalid_field(req, "result",
                                 "is required (or give the call_id of the call to take it from)");
        return;
    }
    struct result_ctx c = {
        .incident_id = id, .id = nid, .has_result = v[0].present,
        .r = {.result = (enum notify_result)v[0].num, .actor = req->auth.name,
              .call_id = v[1].str, .note = v[2].str, .now = req->now},
        .may_override = (req->auth.role & ROLES_SUPERVISING) != 0,
    };
    enum db_status s = db_transaction(http_db(req), result_tx, &c);
    if (s == DB_CONFLICT && c.why)
        http_reply_problem(req, PROBLEM_CONFLICT, "%s", c.why);
    else if (s != DB_OK)
        api_reply_db(req, s, "notification");
    else {
        http_reply_json_text(req, 200, c.json);
        c.json = NULL;
    }
    free(c.json);
}

/* ---- GET /incidents/{id}/report ---------------------------------------------------------------- */

static const char *const report_types[] = {"application/json", "text/csv", NULL};

void api_incidents_report(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "incident", &id))
        return;
    int as = api_accept_or_reply(req, report_types);
    if (as < 0)
        return;
    bool csv = as == 1;
    char *text = NULL, subject[40];
    long rows = 0;
    enum db_status s = csv ? store_notification_report_csv(http_db(req), id, &text, &rows)
                           : store_notification_report(http_db(req), id, req->now, &text, &rows);
    if (s != DB_OK) {
        api_reply_db(req, s, "incident");
        return;
    }
    snprintf(subject, sizeof subject, "incident:%" PRId64, id);
    json_t *detail = json_pack("{s:s, s:I}", "format", csv ? "csv" : "json", "rows",
                               (json_int_t)rows);
    if (!api_audit_or_reply(req, "incident.report", subject, detail)) {
        free(text);
        return;
    }
    http_reply_json_text(req, 200, text);
    if (csv)
        req->reply.content_type = "text/csv; charset=utf-8";
    http_add_header(req, "Vary", "Accept");
}
