/**
 * @file jobs.c
 * @brief The sweeper loop and its task table.
 */
#include "jobs/jobs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "jobs/deadlines.h"
#include "log.h"
#include "store/idempotency.h"

#define IDEMPOTENCY_KEEP HL_HOUR(24)

static long expire_idempotency_keys(struct db *db, hl_time now)
{
    long deleted = 0;
    return store_idem_expire(db, now - IDEMPOTENCY_KEEP, &deleted) == DB_OK ? deleted : -1;
}

static const struct job_task tasks[] = {
    {"ticket_deadlines", jobs_ticket_deadlines},
    {"idempotency_expiry", expire_idempotency_keys},
};

static pthread_t thread;
static bool running;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping;
#define NTASKS (sizeof tasks / sizeof tasks[0])

static atomic_uint_fast64_t st_runs, st_failures, st_items;
static atomic_int_fast64_t st_last_us, st_last_run;
static atomic_uint_fast64_t st_task_items[NTASKS], st_task_failures[NTASKS];
static struct histo st_pass_time;

long jobs_run_once(struct db *db, hl_time now)
{
    long total = 0;
    int64_t t0 = clock_mono_us();
    for (size_t i = 0; i < NTASKS; i++) {
        long n = tasks[i].run(db, now);
        if (n < 0) {
            atomic_fetch_add(&st_failures, 1);
            atomic_fetch_add(&st_task_failures[i], 1);
            log_msg(LOG_WARN, "sweeper task %s failed; it runs again next pass", tasks[i].name);
            continue;
        }
        atomic_fetch_add(&st_task_items[i], (uint_fast64_t)n);
        total += n;
    }
    int64_t took = clock_mono_us() - t0;
    atomic_fetch_add(&st_runs, 1);
    atomic_fetch_add(&st_items, (uint_fast64_t)total);
    atomic_store(&st_last_us, took);
    atomic_store(&st_last_run, now);
    histo_observe(&st_pass_time, took);
    return total;
}

static void *loop(void *arg)
{
    (void)arg;
    struct db *db = db_new();
    pthread_mutex_lock(&mu);
    while (!stopping) {
        pthread_mutex_unlock(&mu);
        jobs_run_once(db, clock_now());
        pthread_mutex_lock(&mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long ns = until.tv_nsec + (long)(cfg.sweep_interval_ms % 1000) * 1000000L;
        until.tv_sec += cfg.sweep_interval_ms / 1000 + ns / 1000000000L;
        until.tv_nsec = ns % 1000000000L;
        while (!stopping && pthread_cond_timedwait(&wake, &mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&mu);
    db_free(db);
    return NULL;
}

bool jobs_start(char *err, size_t errlen)
{
    stopping = false;
    if (pthread_create(&thread, NULL, loop, NULL) != 0) {
        snprintf(err, errlen, "cannot start the sweeper thread");
        return false;
    }
    running = true;
    return true;
}

void jobs_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&mu);
    stopping = true;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    running = false;
}

void jobs_stats_get(struct jobs_stats *out)
{
    out->runs = atomic_load(&st_runs);
    out->failures = atomic_load(&st_failures);
    out->items = atomic_load(&st_items);
    out->last_duration_us = atomic_load(&st_last_us);
    out->last_run = atomic_load(&st_last_run);
    histo_snapshot(&st_pass_time, &out->pass_seconds);
}

size_t jobs_task_stats_get(struct jobs_task_stats *out, size_t max)
{
    for (size_t i = 0; i < NTASKS && i < max; i++) {
        out[i].name = tasks[i].name;
        out[i].items = atomic_load(&st_task_items[i]);
        out[i].failures = atomic_load(&st_task_failures[i]);
    }
    return NTASKS;
}
