/**
 * @file jobs.h
 * @brief Background workers: the sweeper (every HOTLINE_SWEEP_INTERVAL_MS) and the outbox
 *        (deliveries, at most a second apart, or at once when woken). Tasks claim their rows with
 *        FOR UPDATE SKIP LOCKED or a lease, so any number of instances may run.
 */
#ifndef HOTLINE_JOBS_JOBS_H
#define HOTLINE_JOBS_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/timefmt.h"
#include "store/db.h"
#include "util/histo.h"

/** One task: does a bounded batch of due work at now; returns rows handled, or -1 on failure. */
struct job_task {
    const char *name;
    long (*run)(struct db *db, hl_time now);
};

/** Counters for /metrics. */
struct jobs_stats {
    uint64_t runs, failures, items;
    int64_t last_duration_us;
    hl_time last_run;                   /* the `now` of the last finished pass; 0: none yet */
    struct histo_snapshot pass_seconds; /* duration of whole passes */
};

/** One task's counters for /metrics (name borrowed from the task table). */
struct jobs_task_stats {
    const char *name;
    uint64_t items, failures;
};

/** Start the worker threads. @return false with err filled. */
bool jobs_start(char *err, size_t errlen);

/** Stop it and wait for the current pass to end. */
void jobs_stop(void);

/** Run every sweeper task once on the calling thread. */
long jobs_run_once(struct db *db, hl_time now);

void jobs_stats_get(struct jobs_stats *out);

/** Ask the outbox worker to deliver now (after a commit that queued something urgent). */
void jobs_wake_outbox(void);

/**
 * Per-task counters, in task-table order.
 * @param[out] out up to max entries
 * @return the number of tasks (may exceed max)
 */
size_t jobs_task_stats_get(struct jobs_task_stats *out, size_t max);

#endif
