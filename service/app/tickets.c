/**
 * @file tickets.c
 * @brief Ticket use cases shared by api/ and jobs/.
 */
#include "app/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar_cache.h"
#include "domain/deadline.h"
#include "domain/ticket_state.h"
#include "store/tickets.h"

/* Handling starts again (reopened, or sent back by the review): fresh deadlines from now. */
static bool restart_handling(const struct calendar *cal, const struct ticket_state *st,
                             hl_time now, struct ticket_clock *clock,
                             struct ticket_state_change *c)
{
    c->clear_resolved_at = c->clear_closed_at = c->clear_review = true;
    if (!deadlines_for(cal, st->cls, st->kind, now, &clock->d))
        return false;
    clock->breached = clock->warned = 0;
    return true;
}

/* The clock after entering `to`, and the timestamps that go with it. */
static bool clock_for_transition(const struct calendar *cal, const struct ticket_state *st,
                                 struct ticket_transition *t, struct ticket_clock *clock,
                                 struct ticket_state_change *c)
{
    *clock = st->clock;
    clock->status = t->to;
    switch (t->to) {
    case TICKET_STATUS_RESOLVED:
        c->set_resolved_at = c->clear_review = true; /* a new resolution needs a new review */
        break;
    case TICKET_STATUS_CLOSED:
        c->set_closed_at = true;
        break;
    case TICKET_STATUS_REOPENED:
        c->count_reopen = true;
        return restart_handling(cal, st, t->now, clock, c);
    case TICKET_STATUS_IN_PROGRESS:
        if (st->clock.status == TICKET_STATUS_RESOLVED) /* a complaint sent back by review */
            return restart_handling(cal, st, t->now, clock, c);
        break;
    case TICKET_STATUS_RELAYED:
        if (st->cls == TICKET_CLASS_GOVERNMENT && !clock->relayed) {
            clock->relayed = c->set_relayed_at = true;
            deadline_government_callback(cal, t->now, &clock->d);
        }
        break;
    default:
        break;
    }
    return true;
}

/* The history's `after` of a transition: the status, and for a complaint step which step made
 * it and what the satisfaction callback found. Every status change is a `transition` event
 * (reports count resolutions and reopenings from them). */
static void after_json(const struct ticket_transition *t, char *out, size_t n)
{
    static const char *const vias[] = {"request", "review", "satisfaction_callback"};
    int len = snprintf(out, n, "{\"status\":\"%s\"", ticket_status_names[t->to]);
    if (t->via != VIA_REQUEST)
        len += snprintf(out + len, n - (size_t)len, ",\"via\":\"%s\"", vias[t->via]);
    if (t->complaint_outcome)
        len += snprintf(out + len, n - (size_t)len, ",\"complaint_outcome\":\"%s\"",
                        t->complaint_outcome);
    snprintf(out + len, n - (size_t)len, "}");
}

static enum db_status transition_tx(struct db *db, void *arg)
{
    struct ticket_transition *t = arg;
    free(t->json);
    t->json = NULL;
    t->stale = t->refused = false;
    struct ticket_state st;
    enum db_status s = store_ticket_state_get(db, t->id, true, &st);
    if (s != DB_OK)
        return s;
    t->from = st.clock.status;
    t->kind = st.kind;
    t->facts = st.facts;
    if (t->expected >= 0 && t->expected != st.version) {
        t->stale = true;
        return DB_CONFLICT;
    }
    if (ticket_transition_check(st.kind, st.clock.status, t->to, t->via, &st.facts,
                                &t->missing) != TV_OK) {
        t->refused = true;
        return DB_CONFLICT;
    }
    const struct calendar *cal;
    if ((s = calendar_acquire(db, &cal)) != DB_OK)
        return s;
    struct ticket_clock clock;
    struct ticket_state_change c = {.id = t->id, .clock = &clock, .actor = t->actor,
                                    .event_kind = "transition",
                                    .note = t->note, .now = t->now,
                                    .complaint_outcome = t->complaint_outcome};
    bool ok = clock_for_transition(cal, &st, t, &clock, &c);
    calendar_release(cal);
    if (!ok)
        return DB_INVALID;
    char *rules = c.clear_closed_at || c.set_relayed_at ? store_deadline_rules_json(&clock.d)
                                                        : NULL;
    char before[64], after[160];
    snprintf(before, sizeof before, "{\"status\":\"%s\"}", ticket_status_names[t->from]);
    after_json(t, after, sizeof after);
    c.deadline_rules = rules;
    c.before = before;
    c.after = after;
    s = store_ticket_state_update(db, &c, &t->json);
    free(rules);
    if (s == DB_OK)
        s = store_ticket_sync_followups(db, t->id, t->now);
    return s;
}

enum db_status app_ticket_transition(struct db *db, struct ticket_transition *t)
{
    return db_atomically(db, transition_tx, t);
}

struct callback_made {
    int64_t id;
    enum followup_kind kind;
    const char *actor;
    hl_time now;
};

static enum db_status callback_made_tx(struct db *db, void *arg)
{
    struct callback_made *cm = arg;
    struct ticket_state st;
    const struct calendar *cal;
    enum db_status s = store_ticket_state_get(db, cm->id, true, &st);
    if (s != DB_OK || (s = calendar_acquire(db, &cal)) != DB_OK)
        return s;
    struct ticket_clock clock = st.clock;
    enum deadline_kind k = DL_COUNT;
    bool ok = true;
    if (cm->kind == FOLLOWUP_WEEKLY_CALLBACK && clock.d.has[DL_WEEKLY]) {
        k = DL_WEEKLY;
        ok = deadline_next_weekly(cal, cm->now, &clock.d);
    } else if (cm->kind == FOLLOWUP_PROGRESS_NOTICE && clock.d.has[DL_PROGRESS]) {
        k = DL_PROGRESS;
        deadline_next_progress(cal, cm->now, &clock.d);
    } else if (cm->kind == FOLLOWUP_GOVERNMENT_CALLBACK && clock.d.has[DL_CALLBACK]) {
        k = DL_CALLBACK;
        clock.called_back = true;
    }
    calendar_release(cal);
    if (k == DL_COUNT)
        return DB_OK; /* nothing on the ticket waits for this call */
    if (!ok)
        return DB_INVALID;
    clock.breached &= ~DL_BIT(k);
    clock.warned &= ~DL_BIT(k);
    char after[96];
    snprintf(after, sizeof after, "{\"deadline\":\"%s\"}", deadline_names[k]);
    struct ticket_state_change c = {.id = cm->id, .clock = &clock, .actor = cm->actor,
                                    .event_kind = "callback_made", .after = after,
                                    .set_called_back_at = k == DL_CALLBACK, .now = cm->now};
    char *rules = store_deadline_rules_json(&clock.d), *json = NULL;
    c.deadline_rules = rules;
    s = rules ? store_ticket_state_update(db, &c, &json) : DB_ERROR;
    free(rules);
    free(json);
    if (s == DB_OK)
        s = store_ticket_sync_followups(db, cm->id, cm->now);
    return s;
}

enum db_status app_ticket_callback_made(struct db *db, int64_t ticket_id,
                                        enum followup_kind kind, const char *actor, hl_time now)
{
    struct callback_made cm = {ticket_id, kind, actor, now};
    return db_atomically(db, callback_made_tx, &cm);
}

enum db_status app_ticket_relay_acknowledged(struct db *db, int64_t ticket_id, hl_time now)
{
    struct ticket_transition t = {.id = ticket_id, .expected = -1, .to = TICKET_STATUS_RELAYED,
                                  .note = "relay acknowledged by the recipient",
                                  .actor = "outbox", .now = now};
    enum db_status s = app_ticket_transition(db, &t);
    free(t.json);
    return s == DB_CONFLICT ? DB_OK : s; /* already relayed, resolved or closed: nothing to do */
}
