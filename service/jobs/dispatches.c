/**
 * @file dispatches.c
 * @brief Overdue dispatches: claimed with SKIP LOCKED and marked in one statement per batch,
 *        told by webhook in the same transaction.
 */
#include "jobs/dispatches.h"

#include <stdlib.h>

#include "store/dispatches.h"
#include "store/outbox.h"

#define BATCH 100
#define MAX_BATCHES 20

struct batch {
    hl_time now;
    struct dispatch_overdue rows[BATCH];
    int n;
};

static void batch_clear(struct batch *b)
{
    for (int i = 0; i < b->n; i++)
        free(b->rows[i].payload);
    b->n = 0;
}

static enum db_status mark_batch(struct db *db, void *arg)
{
    struct batch *b = arg;
    batch_clear(b); /* a retried transaction starts over */
    enum db_status s = store_dispatches_mark_overdue(db, b->now, BATCH, b->rows, &b->n);
    for (int i = 0; s == DB_OK && i < b->n; i++)
        s = store_outbox_emit(db, "dispatch.overdue", "dispatch", b->rows[i].id, b->rows[i].payload,
                              b->now, NULL);
    return s;
}

long jobs_dispatches_overdue(struct db *db, hl_time now)
{
    struct batch *b = calloc(1, sizeof *b);
    if (!b)
        return -1;
    b->now = now;
    long total = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
        if (db_transaction(db, mark_batch, b) != DB_OK) {
            total = -1;
            break;
        }
        int n = b->n;
        total += n;
        batch_clear(b);
        if (n < BATCH)
            break;
    }
    batch_clear(b);
    free(b);
    return total;
}
