/**
 * @file complaints.c
 * @brief Complaint use cases: each locks what it changes, asks the domain, writes through the
 *        store, in one transaction.
 */
#include "app/complaints.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/tickets.h"
#include "calendar_cache.h"
#include "domain/followup.h"
#include "store/dispatches.h"
#include "store/escalations.h"
#include "store/extensions.h"
#include "store/followups.h"
#include "store/tickets.h"

static void call_reset(struct complaint_call *c)
{
    free(c->json);
    c->json = NULL;
    c->refusal = CR_NONE;
}

static enum db_status refuse(struct complaint_call *c, enum complaint_refusal why)
{
    c->refusal = why;
    return DB_CONFLICT;
}

static bool may_act_for(const struct complaint_call *c, const struct ticket_state *st)
{
    return c->supervising || strcmp(c->actor, st->owner) == 0;
}

static bool handling(const struct ticket_state *st)
{
    return st->clock.status != TICKET_STATUS_RESOLVED && st->clock.status != TICKET_STATUS_CLOSED;
}

static enum db_status rules_now(struct db *db, struct rules *out)
{
    const struct calendar *cal;
    enum db_status s = calendar_acquire(db, &cal);
    if (s != DB_OK)
        return s;
    *out = cal->rules;
    calendar_release(cal);
    return DB_OK;
}

/* The customer's number and the owner, from a ticket's JSON (for follow-up calls). */
struct customer {
    json_t *ticket; /* owns the strings below */
    const char *phone, *phone_norm, *owner;
};

static enum db_status customer_of(struct db *db, int64_t ticket_id, struct customer *out)
{
    char *text = NULL;
    enum db_status s = store_ticket_get(db, ticket_id, false, &text, NULL);
    if (s != DB_OK)
        return s;
    out->ticket = json_loads(text, 0, NULL);
    free(text);
    if (!out->ticket)
        return DB_ERROR;
    out->phone = json_string_value(json_object_get(out->ticket, "caller_phone"));
    out->phone_norm = json_string_value(json_object_get(out->ticket, "caller_phone_normalized"));
    out->owner = json_string_value(json_object_get(out->ticket, "owner"));
    return DB_OK;
}

/* A follow-up call to the customer of a ticket, in the calling windows from `wanted`. */
static enum db_status call_customer(struct db *db, const struct customer *cu, int64_t ticket_id,
                                    enum followup_kind kind, hl_time wanted, const char *notes,
                                    const char *actor, hl_time now, int64_t *id)
{
    const struct calendar *cal;
    enum db_status s = calendar_acquire(db, &cal);
    if (s != DB_OK)
        return s;
    struct followup_new f = {.kind = kind,
                             .ticket_id = ticket_id,
                             .phone = cu->phone,
                             .phone_norm = cu->phone_norm,
                             .agent = cu->owner,
                             .notes = notes,
                             .created_by = actor,
                             .now = now};
    bool ok = followup_schedule(cal, kind, false, wanted < now ? now : wanted, &f.due_at);
    calendar_release(cal);
    return ok ? store_followup_create(db, &f, id) : DB_INVALID;
}

/* ---- escalation by hand --------------------------------------------------------------------- */

/* Raise a locked ticket's level and record it through the sweeper's path. */
static enum db_status escalate_locked(struct db *db, const struct ticket_state *st, int to,
                                      const char *reason, const char *assignee,
                                      struct complaint_call *c)
{
    struct rules r;
    enum db_status s = rules_now(db, &r);
    if (s != DB_OK)
        return s;
    struct ticket_clock clock = st->clock;
    if (!escalate_by_hand(&clock, to, c->now, &r)) {
        c->level = st->clock.escalation_level;
        return refuse(c, CR_NOT_HIGHER);
    }
    hl_time next_due = 0;
    bool has_next = ticket_next_due(&clock, &next_due);
    s = store_ticket_escalation_set(db, st->id, clock.escalation_level,
                                    clock.has_next_escalation ? &clock.next_escalation_at : NULL,
                                    has_next ? &next_due : NULL, c->now);
    struct escalation_record e = {.ticket_id = st->id,
                                  .from_level = st->clock.escalation_level,
                                  .to_level = clock.escalation_level,
                                  .assignee = assignee,
                                  .reason = reason,
                                  .actor = c->actor,
                                  .now = c->now};
    return s == DB_OK ? store_escalation_record(db, &e, &c->json) : s;
}

struct escalate_ctx {
    int64_t id;
    const struct escalation_input *in;
    struct complaint_call *c;
};

static enum db_status escalate_tx(struct db *db, void *arg)
{
    struct escalate_ctx *x = arg;
    call_reset(x->c);
    struct ticket_state st;
    enum db_status s = store_ticket_state_get(db, x->id, true, &st);
    if (s != DB_OK)
        return s;
    if (st.clock.status == TICKET_STATUS_CLOSED)
        return refuse(x->c, CR_ARCHIVED);
    return escalate_locked(db, &st, x->in->to_level, x->in->reason, x->in->assignee, x->c);
}

enum db_status app_ticket_escalate(struct db *db, int64_t ticket_id,
                                   const struct escalation_input *in, struct complaint_call *c)
{
    struct escalate_ctx x = {ticket_id, in, c};
    return db_atomically(db, escalate_tx, &x);
}

/* ---- hand-over ------------------------------------------------------------------------------ */

struct handover_ctx {
    int64_t id;
    const struct handover_input *in;
    struct complaint_call *c;
};

static enum db_status handover_tx(struct db *db, void *arg)
{
    struct handover_ctx *x = arg;
    call_reset(x->c);
    struct ticket_state st;
    enum db_status s = store_ticket_state_get(db, x->id, true, &st);
    if (s != DB_OK)
        return s;
    if (st.clock.status == TICKET_STATUS_CLOSED)
        return refuse(x->c, CR_ARCHIVED);
    if (strcmp(st.owner, x->in->to) == 0)
        return refuse(x->c, CR_SAME_OWNER);
    return store_ticket_handover(db, x->id, x->in->to, x->in->reason, x->c->actor, x->c->now,
                                 &x->c->json);
}

enum db_status app_ticket_handover(struct db *db, int64_t ticket_id,
                                   const struct handover_input *in, struct complaint_call *c)
{
    struct handover_ctx x = {ticket_id, in, c};
    return db_atomically(db, handover_tx, &x);
}

/* ---- dispatches ----------------------------------------------------------------------------- */

/* When a dispatch made now must be signed for. */
static enum db_status accept_due(struct db *db, hl_time now, hl_time *due)
{
    const struct calendar *cal;
    enum db_status s = calendar_acquire(db, &cal);
    if (s != DB_OK)
        return s;
    bool ok = deadline_business_minutes(cal, now, cal->rules.dispatch_accept_business_minutes, due);
    calendar_release(cal);
    return ok ? DB_OK : DB_INVALID;
}

/* A new dispatch of a locked ticket in handling. */
static enum db_status dispatch_new(struct db *db, int64_t ticket_id,
                                   const struct dispatch_input *in, int64_t previous_id,
                                   const char *event, struct complaint_call *c, int64_t *id)
{
    struct dispatch_new d = {.ticket_id = ticket_id,
                             .in = in,
                             .previous_id = previous_id,
                             .actor = c->actor,
                             .event_kind = event,
                             .now = c->now};
    enum db_status s = accept_due(db, c->now, &d.accept_due_at);
    return s == DB_OK ? store_dispatch_create(db, &d, id, &c->json) : s;
}

struct dispatch_ctx {
    int64_t id; /* ticket (create) or dispatch (the others) */
    const struct dispatch_input *in;
    const struct dispatch_answer *answer;
    const struct dispatch_ruling *ruling;
    struct complaint_call *c;
};

/* The ticket of a create or re-dispatch: locked, in handling, acted on by its owner. */
static enum db_status ticket_for_dispatch(struct db *db, int64_t id, bool need_owner,
                                          struct complaint_call *c, struct ticket_state *st)
{
    enum db_status s = store_ticket_state_get(db, id, true, st);
    if (s != DB_OK)
        return s;
    if (st->clock.status == TICKET_STATUS_CLOSED)
        return refuse(c, CR_ARCHIVED);
    if (!handling(st))
        return refuse(c, CR_NOT_HANDLING);
    if (need_owner && !may_act_for(c, st))
        return refuse(c, CR_NOT_OWNER);
    return DB_OK;
}

static enum db_status create_tx(struct db *db, void *arg)
{
    struct dispatch_ctx *x = arg;
    call_reset(x->c);
    struct ticket_state st;
    enum db_status s = ticket_for_dispatch(db, x->id, true, x->c, &st);
    return s == DB_OK ? dispatch_new(db, x->id, x->in, 0, "dispatched", x->c, NULL) : s;
}

enum db_status app_dispatch_create(struct db *db, int64_t ticket_id,
                                   const struct dispatch_input *in, struct complaint_call *c)
{
    struct dispatch_ctx x = {.id = ticket_id, .in = in, .c = c};
    return db_atomically(db, create_tx, &x);
}

/* Lock a dispatch and check the action is allowed from its status. */
static enum db_status dispatch_for(struct db *db, int64_t id, enum dispatch_action a,
                                   struct complaint_call *c, struct dispatch_row *row,
                                   enum dispatch_status *to)
{
    enum db_status s = store_dispatch_row(db, id, true, row);
    if (s != DB_OK)
        return s;
    if (!dispatch_next(row->status, a, to)) {
        c->dispatch = row->status;
        return refuse(c, CR_DISPATCH_STATE);
    }
    return DB_OK;
}

static const char *const answer_events[DA_COUNT] = {
    [DA_ACCEPT] = "dispatch_accepted",
    [DA_RETURN] = "dispatch_returned",
    [DA_REPLY] = "dispatch_replied",
};

static enum db_status answer_tx(struct db *db, void *arg)
{
    struct dispatch_ctx *x = arg;
    call_reset(x->c);
    struct dispatch_row row;
    struct ticket_state st;
    enum dispatch_status to;
    enum db_status s = dispatch_for(db, x->id, x->answer->action, x->c, &row, &to);
    if (s == DB_OK)
        s = store_ticket_state_get(db, row.ticket_id, true, &st);
    if (s != DB_OK)
        return s;
    if (st.clock.status == TICKET_STATUS_CLOSED)
        return refuse(x->c, CR_ARCHIVED);
    struct dispatch_step step = {.id = row.id,
                                 .action = x->answer->action,
                                 .from = row.status,
                                 .to = to,
                                 .person = x->answer->contact_person ? x->answer->contact_person
                                                                     : row.contact_person,
                                 .text = x->answer->text,
                                 .actor = x->c->actor,
                                 .event_kind = answer_events[x->answer->action],
                                 .now = x->c->now};
    return store_dispatch_step(db, &step, &x->c->json);
}

enum db_status app_dispatch_answer(struct db *db, int64_t dispatch_id,
                                   const struct dispatch_answer *in, struct complaint_call *c)
{
    struct dispatch_ctx x = {.id = dispatch_id, .answer = in, .c = c};
    return db_atomically(db, answer_tx, &x);
}

/* A returned dispatch replaced by a new one to `to` (改派, or a ruling that reassigns it). */
static enum db_status replace_dispatch(struct db *db, const struct dispatch_row *row,
                                       enum dispatch_action a, const struct dispatch_input *to,
                                       const char *ruling, struct complaint_call *c)
{
    int64_t next = 0;
    enum db_status s = dispatch_new(db, row->ticket_id, to, row->id, "redispatched", c, &next);
    if (s != DB_OK)
        return s;
    char *old = NULL;
    struct dispatch_step step = {.id = row->id,
                                 .action = a,
                                 .from = row->status,
                                 .to = DS_REDISPATCHED,
                                 .text = ruling,
                                 .next_id = next,
                                 .actor = c->actor,
                                 .event_kind = ruling ? "dispatch_ruling" : NULL,
                                 .now = c->now};
    s = store_dispatch_step(db, &step, &old);
    free(old);
    return s;
}

static enum db_status redispatch_tx(struct db *db, void *arg)
{
    struct dispatch_ctx *x = arg;
    call_reset(x->c);
    struct dispatch_row row;
    struct ticket_state st;
    enum dispatch_status to;
    enum db_status s = dispatch_for(db, x->id, DA_REDISPATCH, x->c, &row, &to);
    if (s == DB_OK)
        s = ticket_for_dispatch(db, row.ticket_id, true, x->c, &st);
    return s == DB_OK ? replace_dispatch(db, &row, DA_REDISPATCH, x->in, NULL, x->c) : s;
}

enum db_status app_dispatch_redispatch(struct db *db, int64_t dispatch_id,
                                       const struct dispatch_input *in, struct complaint_call *c)
{
    struct dispatch_ctx x = {.id = dispatch_id, .in = in, .c = c};
    return db_atomically(db, redispatch_tx, &x);
}

static enum db_status rule_tx(struct db *db, void *arg)
{
    struct dispatch_ctx *x = arg;
    const struct dispatch_ruling *r = x->ruling;
    call_reset(x->c);
    struct dispatch_row row;
    struct ticket_state st;
    enum dispatch_status to;
    enum db_status s = dispatch_for(db, x->id, r->action, x->c, &row, &to);
    if (s == DB_OK)
        s = ticket_for_dispatch(db, row.ticket_id, false, x->c, &st);
    if (s != DB_OK)
        return s;
    if (r->action == DA_RULE_REASSIGN)
        return replace_dispatch(db, &row, DA_RULE_REASSIGN, &r->to, r->reason, x->c);
    struct dispatch_step step = {.id = row.id,
                                 .action = DA_RULE_KEEP,
                                 .from = row.status,
                                 .to = to,
                                 .text = r->reason,
                                 .has_accept_due = true,
                                 .actor = x->c->actor,
                                 .event_kind = "dispatch_ruling",
                                 .now = x->c->now};
    s = accept_due(db, x->c->now, &step.accept_due_at);
    return s == DB_OK ? store_dispatch_step(db, &step, &x->c->json) : s;
}

enum db_status app_dispatch_rule(struct db *db, int64_t dispatch_id,
                                 const struct dispatch_ruling *in, struct complaint_call *c)
{
    struct dispatch_ctx x = {.id = dispatch_id, .ruling = in, .c = c};
    return db_atomically(db, rule_tx, &x);
}

/* ---- extensions ----------------------------------------------------------------------------- */

struct extension_ctx {
    int64_t id; /* ticket (request) or extension (decision) */
    const struct extension_input *in;
    const struct decision_input *decision;
    struct complaint_call *c;
};

static enum db_status request_tx(struct db *db, void *arg)
{
    struct extension_ctx *x = arg;
    call_reset(x->c);
    struct ticket_state st;
    enum db_status s = store_ticket_state_get(db, x->id, true, &st);
    if (s != DB_OK)
        return s;
    if (st.clock.status == TICKET_STATUS_CLOSED)
        return refuse(x->c, CR_ARCHIVED);
    if (!may_act_for(x->c, &st))
        return refuse(x->c, CR_NOT_OWNER);
    x->c->verdict = extension_request_check(&st.clock, x->in->deadline, x->in->until, x->c->now);
    if (x->c->verdict != EXT_OK)
        return refuse(x->c, CR_EXTENSION);
    struct extension_new e = {.ticket_id = x->id,
                              .in = x->in,
                              .due_at = st.clock.d.due[x->in->deadline],
                              .actor = x->c->actor,
                              .now = x->c->now};
    s = store_extension_create(db, &e, &x->c->json);
    return s == DB_DUPLICATE ? refuse(x->c, CR_WAITING) : s;
}

enum db_status app_extension_request(struct db *db, int64_t ticket_id,
                                     const struct extension_input *in, struct complaint_call *c)
{
    struct extension_ctx x = {.id = ticket_id, .in = in, .c = c};
    return db_atomically(db, request_tx, &x);
}

static const char *const due_keys[DL_COUNT] = {"resolve_due_at", "relay_due_at", "callback_due_at",
                                               "next_callback_due_at", "progress_due_at"};

/* Move the deadline (history: extension_approved, before/after), then tell the customer. */
static enum db_status approve(struct db *db, const struct extension_row *row,
                              const struct ticket_state *st, struct extension_ctx *x,
                              int64_t *followup_id)
{
    struct complaint_call *c = x->c;
    enum deadline_kind k = row->deadline;
    struct rules r;
    enum db_status s = rules_now(db, &r);
    if (s != DB_OK)
        return s;
    struct ticket_clock clock = st->clock;
    c->verdict = deadline_extend(&clock, k, row->until, c->now, &r);
    if (c->verdict != EXT_OK)
        return refuse(c, CR_EXTENSION);
    char old_due[48], new_due[48], rule[DEADLINE_RULE_MAX];
    tf_format_rfc3339(st->clock.d.due[k], 0, old_due, sizeof old_due);
    tf_format_rfc3339(row->until, 0, new_due, sizeof new_due);
    snprintf(rule, sizeof rule, "extended to %s by %s (extension %" PRId64 ")", new_due, c->actor,
             row->id);
    json_t *before = json_pack("{s:s}", due_keys[k], old_due);
    json_t *after =
        json_pack("{s:s, s:I}", due_keys[k], new_due, "extension_id", (json_int_t)row->id);
    json_t *rules = json_pack("{s:s}", due_keys[k], rule);
    char *b = json_dumps(before, JSON_COMPACT), *a = json_dumps(after, JSON_COMPACT),
         *rl = json_dumps(rules, JSON_COMPACT), *ticket = NULL;
    json_decref(before);
    json_decref(after);
    json_decref(rules);
    struct ticket_state_change ch = {.id = st->id,
                                     .clock = &clock,
                                     .deadline_rules = rl,
                                     .merge_rules = true,
                                     .actor = c->actor,
                                     .event_kind = "extension_approved",
                                     .before = b,
                                     .after = a,
                                     .note = x->decision->note,
                                     .now = c->now};
    s = b && a && rl ? store_ticket_state_update(db, &ch, &ticket) : DB_ERROR;
    free(b);
    free(a);
    free(rl);
    free(ticket);
    if (s == DB_OK)
        s = store_ticket_sync_followups(db, st->id, c->now); /* a weekly callback moves too */
    struct customer cu = {0};
    if (s == DB_OK)
        s = customer_of(db, st->id, &cu);
    if (s == DB_OK && cu.phone) {
        char notes[200];
        snprintf(notes, sizeof notes, "Tell the customer the new deadline: %s", new_due);
        s = call_customer(db, &cu, st->id, FOLLOWUP_CUSTOM, c->now, notes, c->actor, c->now,
                          followup_id);
    }
    json_decref(cu.ticket);
    return s;
}

static enum db_status decide_tx(struct db *db, void *arg)
{
    struct extension_ctx *x = arg;
    call_reset(x->c);
    struct extension_row row;
    struct ticket_state st;
    enum db_status s = store_extension_row_lock(db, x->id, &row);
    if (s == DB_OK && !row.waiting)
        return refuse(x->c, CR_DECIDED);
    if (s == DB_OK)
        s = store_ticket_state_get(db, row.ticket_id, true, &st);
    int64_t followup = 0;
    if (s == DB_OK && x->decision->approve)
        s = approve(db, &row, &st, x, &followup);
    if (s != DB_OK)
        return s;
    struct extension_decision d = {.id = row.id,
                                   .approve = x->decision->approve,
                                   .note = x->decision->note,
                                   .actor = x->c->actor,
                                   .followup_id = followup,
                                   .now = x->c->now};
    return store_extension_decide(db, &d, &x->c->json);
}

enum db_status app_extension_decide(struct db *db, int64_t extension_id,
                                    const struct decision_input *in, struct complaint_call *c)
{
    struct extension_ctx x = {.id = extension_id, .decision = in, .c = c};
    return db_atomically(db, decide_tx, &x);
}

/* ---- review --------------------------------------------------------------------------------- */

/* Approved: awaiting the satisfaction callback, which is scheduled now for the business day
 * after the resolution (or the next calling moment when that has passed). */
static enum db_status review_approve(struct db *db, const struct ticket_state *st,
                                     const struct decision_input *in, struct complaint_call *c)
{
    struct customer cu = {0};
    enum db_status s = customer_of(db, st->id, &cu);
    if (s == DB_OK && !cu.phone)
        s = refuse(c, CR_NO_PHONE);
    hl_time wanted = c->now;
    const struct calendar *cal;
    if (s == DB_OK && (s = calendar_acquire(db, &cal)) == DB_OK) {
        hl_time resolved = st->has_resolved_at ? st->resolved_at : c->now;
        if (!followup_satisfaction_due(cal, resolved, &wanted))
            s = DB_INVALID;
        calendar_release(cal);
    }
    struct ticket_clock clock = st->clock;
    struct ticket_state_change ch = {
        .id = st->id,
        .clock = &clock,
        .set_review = true,
        .actor = c->actor,
        .event_kind = "reviewed",
        .before = "{\"complaint_stage\":\"awaiting_review\"}",
        .after = "{\"complaint_stage\":\"awaiting_callback\",\"decision\":\"approved\"}",
        .note = in->note,
        .now = c->now};
    if (s == DB_OK)
        s = store_ticket_state_update(db, &ch, &c->json);
    if (s == DB_OK)
        s = call_customer(db, &cu, st->id, FOLLOWUP_SATISFACTION, wanted, NULL, c->actor, c->now,
                          NULL);
    json_decref(cu.ticket);
    return s;
}

struct review_ctx {
    int64_t id;
    const struct decision_input *in;
    struct complaint_call *c;
};

static enum db_status review_tx(struct db *db, void *arg)
{
    struct review_ctx *x = arg;
    call_reset(x->c);
    struct ticket_state st;
    enum db_status s = store_ticket_state_get(db, x->id, true, &st);
    if (s != DB_OK)
        return s;
    if (st.kind != TICKET_KIND_COMPLAINT)
        return refuse(x->c, CR_NOT_COMPLAINT);
    x->c->stage = complaint_stage_of(st.clock.status, st.facts.reviewed);
    if (x->c->stage != STAGE_AWAITING_REVIEW) {
        x->c->missing = complaint_next_step(st.clock.status, &st.facts);
        return refuse(x->c, CR_STAGE);
    }
    if (x->in->approve)
        return review_approve(db, &st, x->in, x->c);
    struct ticket_transition t = {.id = x->id,
                                  .expected = -1,
                                  .to = TICKET_STATUS_IN_PROGRESS,
                                  .note = x->in->note,
                                  .actor = x->c->actor,
                                  .now = x->c->now,
                                  .via = VIA_REVIEW};
    s = app_ticket_transition(db, &t);
    x->c->json = t.json;
    return s;
}

enum db_status app_complaint_review(struct db *db, int64_t ticket_id,
                                    const struct decision_input *in, struct complaint_call *c)
{
    struct review_ctx x = {ticket_id, in, c};
    return db_atomically(db, review_tx, &x);
}

/* ---- the satisfaction callback's result ----------------------------------------------------- */

struct callback_ctx {
    int64_t id;
    enum complaint_outcome outcome;
    int score;
    const char *actor;
    hl_time now;
};

static enum db_status callback_tx(struct db *db, void *arg)
{
    struct callback_ctx *x = arg;
    struct ticket_state st;
    enum db_status s = store_ticket_state_get(db, x->id, true, &st);
    if (s != DB_OK || st.kind != TICKET_KIND_COMPLAINT ||
        complaint_stage_of(st.clock.status, st.facts.reviewed) != STAGE_AWAITING_CALLBACK)
        return s; /* not waiting for this result: the history has it, nothing else to do */
    bool unsatisfied = x->outcome == CO_UNSATISFIED;
    char note[160];
    if (x->score)
        snprintf(note, sizeof note, "satisfaction callback: %s (score %d)",
                 complaint_outcome_names[x->outcome], x->score);
    else
        snprintf(note, sizeof note, "satisfaction callback: %s",
                 complaint_outcome_names[x->outcome]);
    struct ticket_transition t = {.id = x->id,
                                  .expected = -1,
                                  .to = unsatisfied ? TICKET_STATUS_REOPENED : TICKET_STATUS_CLOSED,
                                  .note = note,
                                  .actor = x->actor,
                                  .now = x->now,
                                  .via = VIA_CALLBACK,
                                                            .complaint_outcome = complaint_outcome_names[x->outcome]};
    s = app_ticket_transition(db, &t);
    free(t.json);
    if (s != DB_OK || !unsatisfied)
        return s;
    /* back to handling, one level up: the customer was not satisfied */
    struct complaint_call c = {.actor = x->actor, .now = x->now};
    if ((s = store_ticket_state_get(db, x->id, true, &st)) == DB_OK)
        s = escalate_locked(db, &st, -1, "the customer is not satisfied with the resolution", NULL,
                            &c);
    free(c.json);
    return s == DB_CONFLICT && c.refusal == CR_NOT_HIGHER ? DB_OK : s; /* at the manager */
}

enum db_status app_complaint_callback(struct db *db, int64_t ticket_id,
                                      enum complaint_outcome outcome, int score, const char *actor,
                                      hl_time now)
{
    struct callback_ctx x = {ticket_id, outcome, score, actor, now};
    return db_atomically(db, callback_tx, &x);
}
