/**
 * @file followups.c
 * @brief Overdue follow-ups: claimed with SKIP LOCKED, marked once per level, told by webhook.
 */
#include "jobs/followups.h"

#include <inttypes.h>
#include <stdio.h>

#include "calendar_cache.h"
#include "store/followups.h"
#include "store/outbox.h"

#define BATCH 100
#define MAX_BATCHES 20

struct batch {
    hl_time now;
    int delay;
    struct followup_due rows[BATCH];
    int n;
};

static enum db_status mark_batch(struct db *db, void *arg)
{
    struct batch *b = arg;
    enum db_status s = store_followups_claim_overdue(db, b->now, b->delay, BATCH, b->rows, &b->n);
    for (int i = 0; s == DB_OK && i < b->n; i++) {
        const struct followup_due *f = &b->rows[i];
        s = store_followup_mark_overdue(db, f, b->now);
        char payload[160];
        snprintf(payload, sizeof payload,
                 "{\"followup_id\":%" PRId64 ",\"ticket_id\":%" PRId64 ",\"escalation_level\":%d}",
                 f->id, f->ticket_id, f->escalation_level + 1);
        if (s == DB_OK)
            s = store_outbox_emit(db, "followup.overdue", "followup", f->id, payload, b->now,
                                  NULL);
    }
    return s;
}

long jobs_followups_overdue(struct db *db, hl_time now)
{
    const struct calendar *cal;
    if (calendar_acquire(db, &cal) != DB_OK)
        return -1;
    struct batch b = {.now = now, .delay = cal->rules.escalation_delay_minutes};
    calendar_release(cal);
    long total = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
        if (db_transaction(db, mark_batch, &b) != DB_OK)
            return -1;
        total += b.n;
        if (b.n < BATCH)
            break;
    }
    return total;
}
