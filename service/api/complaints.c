/**
 * @file complaints.c
 * @brief The complaint steps over HTTP: dispatches (派单, 签收, 退单, 改派, 回复), escalations,
 *        hand-over of ownership, extensions (延期) and the manager's review. Handlers validate,
 *        call app/complaints and turn refusals into problems.
 */
#include "api/complaints.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "app/complaints.h"
#include "domain/roles.h"
#include "store/dispatches.h"
#include "store/escalations.h"
#include "store/extensions.h"

static struct complaint_call call_for(const struct http_request *req)
{
    return (struct complaint_call){.actor = req->auth.name,
                                   .supervising = (req->auth.role & ROLES_SUPERVISING) != 0,
                                   .now = req->now};
}

static const char *const extension_problems[] = {
    [EXT_OK] = "",
    [EXT_NOT_RUNNING] = "the ticket has no such deadline running (none, met, or resolved)",
    [EXT_PASSED] = "refused: the deadline has passed, and an extension must be asked before it",
    [EXT_NOT_LATER] = "",
    [EXT_UNTIL_PASSED] = ("the new deadline asked for has passed already; refuse this request "
                          "and ask again"),
};

static void reply_stage(struct http_request *req, const struct complaint_call *c)
{
    json_t *extra = json_pack("{s:s, s:s}", "complaint_stage", complaint_stage_names[c->stage],
                              "missing_step", complaint_step_names[c->missing]);
    http_reply_problem_with(
        req, PROBLEM_TRANSITION, extra, "the complaint is %s, not awaiting review%s%s",
        complaint_stage_names[c->stage], c->missing != STEP_NONE ? "; missing step: " : "",
        c->missing != STEP_NONE ? complaint_step_names[c->missing] : "");
}

static void reply_dispatch_state(struct http_request *req, const struct complaint_call *c,
                                 enum dispatch_action a)
{
    char allowed[120];
    dispatch_actions_text(c->dispatch, allowed, sizeof allowed);
    json_t *extra = json_pack("{s:s, s:s}", "status", dispatch_status_names[c->dispatch], "action",
                              dispatch_action_names[a]);
    http_reply_problem_with(req, PROBLEM_TRANSITION, extra,
                            "a %s dispatch does not allow %s; allowed: %s",
                            dispatch_status_names[c->dispatch], dispatch_action_names[a], allowed);
}

/* The problem for a refused step (DB_CONFLICT with c->refusal set). */
static void reply_refusal(struct http_request *req, const struct complaint_call *c,
                          enum dispatch_action a)
{
    switch (c->refusal) {
    case CR_ARCHIVED:
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "the ticket is archived (closed); reopen it "
                           "first");
        break;
    case CR_NOT_HANDLING:
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "the ticket is resolved: departments are "
                           "dispatched to only while it is handled");
        break;
    case CR_NOT_OWNER:
        http_reply_problem(req, PROBLEM_FORBIDDEN,
                           "only the ticket's owner (首问负责制) or a "
                           "supervisor may do this");
        break;
    case CR_NOT_HIGHER:
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "the ticket is at escalation level %d (%s); an escalation raises it, "
                           "up to level 2 (manager)",
                           c->level, escalation_names[c->level]);
        break;
    case CR_SAME_OWNER:
        http_reply_invalid_field(req, "to", "is the owner already");
        break;
    case CR_DISPATCH_STATE:
        reply_dispatch_state(req, c, a);
        break;
    case CR_EXTENSION:
        if (c->verdict == EXT_NOT_LATER)
            http_reply_invalid_field(req, "until", "must be after the deadline it extends");
        else
            http_reply_problem(req, PROBLEM_CONFLICT, "%s", extension_problems[c->verdict]);
        break;
    case CR_DECIDED:
        http_reply_problem(req, PROBLEM_CONFLICT, "this extension was decided already");
        break;
    case CR_WAITING:
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "an extension of this ticket is already "
                           "waiting for a supervisor's decision");
        break;
    case CR_NOT_COMPLAINT:
        http_reply_problem(req, PROBLEM_CONFLICT, "only tickets of kind complaint are reviewed");
        break;
    case CR_STAGE:
        reply_stage(req, c);
        break;
    case CR_NO_PHONE:
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "the ticket has no caller phone for the satisfaction callback; "
                           "record one (PATCH /tickets/{id}) before approving");
        break;
    case CR_NONE:
        http_reply_problem(req, PROBLEM_CONFLICT,
                           "the ticket is not in a state that allows "
                           "this");
        break;
    }
}

/* ETag of the resource answered with (a ticket or a dispatch), when it has a version. */
static void version_etag(struct http_request *req, const char *json)
{
    json_t *j = json ? json_loads(json, 0, NULL) : NULL;
    if (json_is_integer(json_object_get(j, "version")))
        api_set_etag(req, (int)json_integer_value(json_object_get(j, "version")));
    json_decref(j);
}

/* Reply for a non-creating step: 200 with its JSON, or the refusal. */
static void reply_step(struct http_request *req, enum db_status s, struct complaint_call *c,
                       enum dispatch_action a, const char *what)
{
    if (s == DB_OK) {
        version_etag(req, c->json);
        http_reply_json_text(req, 200, c->json);
        c->json = NULL;
    } else if (s == DB_CONFLICT) {
        reply_refusal(req, c, a);
    } else {
        api_reply_db(req, s, what);
    }
    free(c->json);
    c->json = NULL;
}

static void location(struct http_request *req, const char *json, const char *fmt)
{
    json_t *j = json ? json_loads(json, 0, NULL) : NULL;
    json_int_t id = json_integer_value(json_object_get(j, "id"));
    if (id > 0) {
        char loc[64];
        snprintf(loc, sizeof loc, fmt, (int64_t)id);
        http_add_header(req, "Location", loc);
    }
    json_decref(j);
}

static void dispatch_headers(struct http_request *req, const char *json)
{
    location(req, json, "/dispatches/%" PRId64);
}

static void extension_headers(struct http_request *req, const char *json)
{
    location(req, json, "/extensions/%" PRId64);
}

/* ---- creating POSTs (Idempotency-Key) ------------------------------------------------------- */

enum create_kind { CREATE_DISPATCH, CREATE_REDISPATCH, CREATE_ESCALATION, CREATE_EXTENSION };

struct create_ctx {
    enum create_kind kind;
    int64_t id;
    struct dispatch_input dispatch;
    struct escalation_input escalation;
    struct extension_input extension;
    struct complaint_call c;
};

static enum db_status create_body(struct db *db, void *arg, int *status, char **json)
{
    struct create_ctx *x = arg;
    enum db_status s = DB_ERROR;
    switch (x->kind) {
    case CREATE_DISPATCH:
        s = app_dispatch_create(db, x->id, &x->dispatch, &x->c);
        break;
    case CREATE_REDISPATCH:
        s = app_dispatch_redispatch(db, x->id, &x->dispatch, &x->c);
        break;
    case CREATE_ESCALATION:
        s = app_ticket_escalate(db, x->id, &x->escalation, &x->c);
        break;
    case CREATE_EXTENSION:
        s = app_extension_request(db, x->id, &x->extension, &x->c);
        break;
    }
    *status = 201;
    *json = x->c.json;
    x->c.json = NULL;
    return s;
}

static void run_create(struct http_request *req, struct create_ctx *x, api_created_headers headers,
                       enum dispatch_action a, const char *what)
{
    x->c = call_for(req);
    api_run_create(req, create_body, x, headers, what);
    if (req->reply.status == 409 && x->c.refusal != CR_NONE)
        reply_refusal(req, &x->c, a);
    free(x->c.json);
}

void api_dispatches_create(struct http_request *req)
{
    struct create_ctx x = {.kind = CREATE_DISPATCH};
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &x.id))
        return;
    if (!dispatch_input_from_json(req->json, &x.dispatch, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    run_create(req, &x, dispatch_headers, DA_ACCEPT, "ticket");
}

void api_dispatches_redispatch(struct http_request *req)
{
    struct create_ctx x = {.kind = CREATE_REDISPATCH};
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "dispatch", &x.id))
        return;
    if (!dispatch_input_from_json(req->json, &x.dispatch, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    run_create(req, &x, dispatch_headers, DA_REDISPATCH, "dispatch");
}

void api_escalations_create(struct http_request *req)
{
    struct create_ctx x = {.kind = CREATE_ESCALATION};
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &x.id))
        return;
    if (!escalation_input_from_json(req->json, &x.escalation, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    run_create(req, &x, NULL, DA_COUNT, "ticket");
}

void api_extensions_create(struct http_request *req)
{
    struct create_ctx x = {.kind = CREATE_EXTENSION};
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &x.id))
        return;
    if (!extension_input_from_json(req->json, &x.extension, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    run_create(req, &x, extension_headers, DA_COUNT, "ticket");
}

/* ---- dispatch steps ------------------------------------------------------------------------- */

static void answer(struct http_request *req, enum dispatch_action a)
{
    int64_t id;
    struct dispatch_answer in;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "dispatch", &id))
        return;
    if (!dispatch_answer_from_json(req->json, a, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct complaint_call c = call_for(req);
    reply_step(req, app_dispatch_answer(http_db(req), id, &in, &c), &c, a, "dispatch");
}

void api_dispatches_accept(struct http_request *req)
{
    answer(req, DA_ACCEPT);
}

void api_dispatches_return(struct http_request *req)
{
    answer(req, DA_RETURN);
}

void api_dispatches_reply(struct http_request *req)
{
    answer(req, DA_REPLY);
}

void api_dispatches_ruling(struct http_request *req)
{
    int64_t id;
    struct dispatch_ruling in;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "dispatch", &id))
        return;
    if (!dispatch_ruling_from_json(req->json, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct complaint_call c = call_for(req);
    reply_step(req, app_dispatch_rule(http_db(req), id, &in, &c), &c, in.action, "dispatch");
}

/* ---- reads ---------------------------------------------------------------------------------- */

typedef enum db_status (*json_reader)(struct db *db, int64_t id, char **json);

static void read_json(struct http_request *req, const char *what, json_reader read)
{
    int64_t id;
    if (!api_id_or_reply(req, "id", what, &id))
        return;
    char *json = NULL;
    enum db_status s = read(http_db(req), id, &json);
    if (s != DB_OK)
        api_reply_db(req, s, what);
    else
        http_reply_json_text(req, 200, json);
}

void api_dispatches_list(struct http_request *req)
{
    read_json(req, "ticket", store_dispatches_json);
}

void api_dispatches_get(struct http_request *req)
{
    read_json(req, "dispatch", store_dispatch_json);
}

void api_escalations_list(struct http_request *req)
{
    read_json(req, "ticket", store_escalations_json);
}

void api_extensions_list(struct http_request *req)
{
    read_json(req, "ticket", store_extensions_json);
}

/* ---- hand-over, extension decision, review
 * -------------------------------------------------------- */

void api_tickets_handover(struct http_request *req)
{
    int64_t id;
    struct handover_input in;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &id))
        return;
    if (!handover_input_from_json(req->json, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct complaint_call c = call_for(req);
    reply_step(req, app_ticket_handover(http_db(req), id, &in, &c), &c, DA_COUNT, "ticket");
}

void api_extensions_decide(struct http_request *req)
{
    int64_t id;
    struct decision_input in;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "extension", &id))
        return;
    if (!extension_decision_from_json(req->json, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct complaint_call c = call_for(req);
    reply_step(req, app_extension_decide(http_db(req), id, &in, &c), &c, DA_COUNT, "extension");
}

void api_tickets_review(struct http_request *req)
{
    int64_t id;
    struct decision_input in;
    struct verrors errs = {0};
    if (!api_id_or_reply(req, "id", "ticket", &id))
        return;
    if (!review_input_from_json(req->json, &in, &errs)) {
        http_reply_invalid(req, &errs);
        return;
    }
    struct complaint_call c = call_for(req);
    reply_step(req, app_complaint_review(http_db(req), id, &in, &c), &c, DA_COUNT, "ticket");
}
