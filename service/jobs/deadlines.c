/**
 * @file deadlines.c
 * @brief Claim due tickets (FOR UPDATE SKIP LOCKED), decide (domain/deadline), write, commit.
 *        Each due item is handled by exactly one instance: the claim locks the rows, and the
 *        write moves next_due_at past now before the locks are released.
 */
#include "jobs/deadlines.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "calendar_cache.h"
#include "domain/deadline.h"
#include "store/escalations.h"
#include "store/outbox.h"
#include "store/tickets.h"

#define BATCH 100
#define MAX_BATCHES 50 /* per pass; the rest waits for the next pass */

struct batch {
    hl_time now;
    struct rules rules;
    struct ticket_state rows[BATCH];
    int n;
};

/* Webhooks for the breaches and warnings just written (same transaction). */
static enum db_status tell_subscribers(struct db *db, int64_t id, const struct sweep_decision *d,
                                       hl_time now)
{
    char payload[256];
    enum db_status s = DB_OK;
    for (int k = 0; s == DB_OK && k < DL_COUNT; k++) {
        bool overdue = d->newly_breached & DL_BIT(k), warning = d->newly_warned & DL_BIT(k);
        if (!overdue && !warning)
            continue;
        char due[48];
        tf_format_rfc3339(d->after.d.due[k], 0, due, sizeof due);
        snprintf(payload, sizeof payload,
                 "{\"ticket_id\":%" PRId64 ",\"deadline\":\"%s\",\"due_at\":\"%s\","
                 "\"must_act\":\"%s\"}",
                 id, deadline_names[k], due, escalation_names[d->after.escalation_level]);
        s = store_outbox_emit(db, overdue ? "ticket.overdue" : "ticket.warning", "ticket", id,
                              payload, now, NULL);
    }
    return s;
}

/* The escalation the sweeper decided, through the same path as one made by hand. */
static enum db_status record_escalation(struct db *db, int64_t id, const struct sweep_decision *d,
                                        hl_time now)
{
    if (!d->escalate_to)
        return DB_OK;
    char reason[200];
    if (d->newly_breached)
        snprintf(reason, sizeof reason, "deadline passed: %s",
                 deadline_names[__builtin_ctz(d->newly_breached)]);
    else
        snprintf(reason, sizeof reason, "still overdue at the escalation delay");
    struct escalation_record e = {.ticket_id = id, .from_level = d->escalate_to - 1,
                                  .to_level = d->escalate_to, .reason = reason,
                                  .actor = "sweeper", .now = now};
    return store_escalation_record(db, &e, NULL);
}

static enum db_status sweep_batch(struct db *db, void *arg)
{
    struct batch *b = arg;
    b->n = 0;
    enum db_status s = store_tickets_claim_due(db, b->now, BATCH, b->rows, &b->n);
    for (int i = 0; s == DB_OK && i < b->n; i++) {
        struct sweep_decision d;
        sweep_decide(&b->rows[i].clock, b->now, &b->rules, &d);
        s = store_ticket_apply_sweep(db, b->rows[i].id, &d, b->now);
        if (s == DB_OK)
            s = tell_subscribers(db, b->rows[i].id, &d, b->now);
        if (s == DB_OK)
            s = record_escalation(db, b->rows[i].id, &d, b->now);
    }
    return s;
}

long jobs_ticket_deadlines(struct db *db, hl_time now)
{
    const struct calendar *cal;
    if (calendar_acquire(db, &cal) != DB_OK)
        return -1;
    struct batch *b = malloc(sizeof *b);
    if (!b) {
        calendar_release(cal);
        return -1;
    }
    b->now = now;
    b->rules = cal->rules;
    calendar_release(cal);
    long total = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
        if (db_transaction(db, sweep_batch, b) != DB_OK) {
            total = -1;
            break;
        }
        total += b->n;
        if (b->n < BATCH)
            break;
    }
    free(b);
    return total;
}
