/**
 * @file incidents.c
 * @brief /incidents: report (idempotent), read with progress, list, history, transitions
 *        through the table of domain/incident_state, and operations' acknowledgement.
 */
#include "api/incidents.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "config.h"
#include "domain/incident.h"
#include "domain/incident_state.h"
#include "domain/roles.h"
#include "store/incidents.h"

/* Location and ETag from an incident's JSON. */
static void incident_headers(struct http_request *req, const char *json)
{
    json_t *i = json ? json_loads(json, 0, NULL) : NULL;
    json_int_t id = json_integer_value(json_object_get(i, "id"));
    if (id > 0) {
        char loc[48];
        snprintf(loc, sizeof loc, "/incidents/%" JSON_INTEGER_FORMAT, id);
        http_add_header(req, "Location", loc);
        api_set_etag(req, (int)json_integer_value(json_object_get(i, "version")));
    }
    json_decref(i);
}

/* ---- POST /incidents and POST /tickets/{id}/incident ----------------------------------------- */

struct create_ctx {
    struct incident_new n;
    char **json;
};

/* An incident and, when it comes from a ticket, the ticket's event, together. */
static enum db_status create_tx(struct db *db, void *arg)
{
    struct create_ctx *c = arg;
    int64_t id = 0;
    free(*c->json);
    *c->json = NULL;
    enum db_status s = store_incident_create(db, &c->n, c->json, &id);
    if (s == DB_OK && c->n.ticket_id)
        s = store_incident_ticket_event(db, c->n.ticket_id, id, c->n.actor, c->n.now);
    return s;
}

static enum db_status create_body(struct db *db, void *arg, int *status, char **json)
{
    struct create_ctx *c = arg;
    *status = 201;
    c->json = json;
    return db_atomically(db, create_tx, c);
}

static bool report_or_reply(struct http_request *req, bool from_ticket,
                            struct incident_input *in)
{
    struct verrors errs = {0};
    if (incident_input_from_json(req->json, cfg.country_code, from_ticket, in, &errs))
        return true;
    http_reply_invalid(req, &errs);
    return false;
}

static void create(struct http_request *req, const struct incident_input *in, int64_t ticket_id)
{
    struct create_ctx c = {
        .n = {.in = in, .ticket_id = ticket_id, .actor = req->auth.name, .now = req->now,
              .ack_due_at = req->now + HL_MIN(cfg.incident_ack_minutes)},
    };
    /* a second incident for one ticket is refused by the database (409), also in a race */
    api_run_create(req, create_body, &c, incident_headers, "incident for this ticket");
}

void api_incidents_create(struct http_request *req)
{
    struct incident_input in;
    if (report_or_reply(req, false, &in))
        create(req, &in, 0);
}

void api_incidents_from_ticket(struct http_request *req)
{
    int64_t id;
    struct incident_input in;
    if (!api_id_or_reply(req, "id", "ticket", &id) || !report_or_reply(req, true, &in))
        return;
    struct incident_ticket t;
    enum db_status s = store_incident_ticket(http_db(req), id, &t);
    if (s != DB_OK) {
        api_reply_db(req, s, "ticket");
        return;
    }
    if (!t.emergency) {
        http_reply_problem(req, PROBLEM_CONFLICT, "only a ticket of kind emergency starts an "
                                                  "incident; change its kind first");
        return;
    }
    create(req, &in, id);
}

/* ---- GET /incidents/{id}, GET /incidents, GET /incidents/{id}/events ---------------------------- */

void api_incidents_get(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "incident", &id))
        return;
    char *json = NULL;
    int version = 0;
    enum db_status s = store_incident_get(http_db(req), id, req->now, &json, &version);
    if (s != DB_OK) {
        api_reply_db(req, s, "incident");
        return;
    }
    api_set_etag(req, version);
    http_reply_json_text(req, 200, json);
}

void api_incidents_list(struct http_request *req)
{
    struct incident_filter f = {0};
    struct verrors errs = {0};
    f.status = api_query_enum(req, "status", incident_status_names, &errs);
    f.limit = api_query_limit(req, &errs);
    api_query_cursor(req, &f.before_id, 1, &f.has_cursor, &errs);
    if (errs.n) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct page page;
    api_reply_page_or_db(req, store_incident_list(http_db(req), &f, &page), &page, "incident");
}

void api_incidents_events(struct http_request *req)
{
    api_reply_history(req, "incident", store_incident_events);
}

/* ---- transitions and the acknowledgement ------------------------------------------------------- */

struct transition_ctx {
    int64_t id;
    int expected;
    enum incident_status to;
    unsigned role;
    const char *note, *actor;
    hl_time now;
    /* outcomes */
    bool stale, refused, forbidden;
    enum incident_status from;
    char *json;
};

static enum db_status transition_tx(struct db *db, void *arg)
{
    struct transition_ctx *t = arg;
    free(t->json);
    t->json = NULL;
    t->stale = t->refused = t->forbidden = false;
    struct incident_state st;
    enum db_status s = store_incident_state(db, t->id, true, &st);
    if (s != DB_OK)
        return s;
    t->from = st.clock.status;
    if (t->expected >= 0 && t->expected != st.version) {
        t->stale = true;
        return DB_CONFLICT;
    }
    unsigned roles = incident_transition_roles(t->from, t->to);
    t->refused = roles == 0;
    t->forbidden = roles != 0 && !(roles & t->role);
    if (t->refused || t->forbidden)
        return DB_CONFLICT;
    struct incident_clock after = st.clock;
    after.status = t->to;
    struct incident_change c = {.id = t->id, .from = t->from, .to = t->to, .actor = t->actor,
                                .note = t->note, .now = t->now};
    c.has_next_due = incident_next_due(&after, cfg.incident_ack_minutes, &c.next_due);
    s = store_incident_transition(db, &c);
    if (s == DB_OK)
        s = store_incident_get(db, t->id, t->now, &t->json, NULL);
    return s;
}

static void reply_refused(struct http_request *req, const struct transition_ctx *t)
{
    enum incident_status next[INCIDENT_STATUS_COUNT];
    int n = incident_transitions_from(t->from, t->role, next);
    json_t *allowed = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(allowed, json_string(incident_status_names[next[i]]));
    char text[160];
    incident_transitions_text(t->from, t->role, text, sizeof text);
    http_reply_problem_with(req, PROBLEM_TRANSITION,
                            json_pack("{s:s, s:s, s:o}", "from", incident_status_names[t->from],
                                      "to", incident_status_names[t->to], "allowed", allowed),
                            "a %s incident cannot become %s; allowed for you: %s",
                            incident_status_names[t->from], incident_status_names[t->to], text);
}

static void run_transition(struct http_request *req, struct transition_ctx *t)
{
    enum db_status s = db_transaction(http_db(req), transition_tx, t);
    if (s == DB_CONFLICT && t->stale)
        http_reply_problem(req, PROBLEM_PRECONDITION,
                           "the incident changed since you read it; GET it again and retry");
    else if (s == DB_CONFLICT && t->forbidden)
        http_reply_problem(req, PROBLEM_FORBIDDEN, "the role %s may not move a %s incident to %s",
                           req->auth.role_name, incident_status_names[t->from],
                           incident_status_names[t->to]);
    else if (s == DB_CONFLICT && t->refused)
        reply_refused(req, t);
    else if (s != DB_OK)
        api_reply_db(req, s, "incident");
    else {
        incident_headers(req, t->json);
        http_reply_json_text(req, 200, t->json);
        t->json = NULL;
    }
    free(t->json);
}

static const struct vfield transition_spec[] = {
    {"to", VT_ENUM, VF_REQUIRED, 0, 0, incident_status_names},
    {"note", VT_STRING, VF_NULLABLE, 1, 2000, NULL},
};

void api_incidents_transition(struct http_request *req)
{
    int64_t id;
    int expected;
    struct vvalue v[2];
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "incident", &id) || !api_if_match_or_reply(req, &expected))
        return;
    if (!validate_object(req->json, transition_spec, 2, v, cfg.country_code, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct transition_ctx t = {.id = id, .expected = expected,
                               .to = (enum incident_status)v[0].num, .role = req->auth.role,
                               .note = v[1].str, .actor = req->auth.name, .now = req->now};
    if (incident_transition_needs_note(t.to) && !t.note) {
        http_reply_invalid_field(req, "note", "say what was done to end the hazard");
        return;
    }
    run_transition(req, &t);
}

void api_incidents_ack(struct http_request *req)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", "incident", &id))
        return;
    struct transition_ctx t = {.id = id, .expected = -1, .to = INCIDENT_ACKNOWLEDGED,
                               .role = req->auth.role, .actor = req->auth.name, .now = req->now};
    run_transition(req, &t);
}
