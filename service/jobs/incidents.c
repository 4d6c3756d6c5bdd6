/**
 * @file incidents.c
 * @brief Claim incidents due (FOR UPDATE SKIP LOCKED), decide (domain/incident_state), write,
 *        commit — the shape of jobs/deadlines.c. The write moves next_due_at past now before
 *        the row lock is released, so no instance escalates the same step twice.
 */
#include "jobs/incidents.h"

#include "config.h"
#include "domain/incident_state.h"
#include "store/incidents.h"

#define BATCH 50
#define MAX_BATCHES 20

struct batch {
    hl_time now;
    struct incident_state rows[BATCH];
    int n;
};

static enum db_status ack_batch(struct db *db, void *arg)
{
    struct batch *b = arg;
    b->n = 0;
    enum db_status s = store_incidents_claim_due(db, b->now, BATCH, b->rows, &b->n);
    for (int i = 0; s == DB_OK && i < b->n; i++) {
        struct incident_sweep d;
        incident_sweep_decide(&b->rows[i].clock, b->now, cfg.incident_ack_minutes, &d);
        s = store_incident_apply_sweep(db, b->rows[i].id, &d, b->now);
    }
    return s;
}

long jobs_incident_acks(struct db *db, hl_time now)
{
    struct batch b = {.now = now};
    long total = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
        if (db_transaction(db, ack_batch, &b) != DB_OK)
            return -1;
        total += b.n;
        if (b.n < BATCH)
            break;
    }
    return total;
}

long jobs_incident_relays(struct db *db, hl_time now)
{
    long total = 0, n = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
        if (store_incidents_confirm_relays(db, now, BATCH, &n) != DB_OK)
            return -1;
        total += n;
        if (n < BATCH)
            break;
    }
    return total;
}
