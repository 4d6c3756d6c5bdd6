/**
 * @file jobs.c
 * @brief Background workers: the sweeper (deadlines, overdue follow-ups, key expiry) and the
 *        outbox (deliveries). Each is a thread with its own database connection that runs its
 *        tasks, then sleeps for the interval or until woken.
 */
#include "jobs/jobs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "jobs/deadlines.h"
#include "jobs/dispatches.h"
#include "jobs/followups.h"
#include "jobs/outbox.h"
#include "jobs/incidents.h"
#include "log.h"
#include "store/idempotency.h"

#define IDEMPOTENCY_KEEP HL_HOUR(24)
#define OUTBOX_INTERVAL_MS_MAX 1000

static long expire_idempotency_keys(struct db *db, hl_time now)
{
    long deleted = 0;
    return store_idem_expire(db, now - IDEMPOTENCY_KEEP, &deleted) == DB_OK ? deleted : -1;
}

static const struct job_task sweeper_tasks[] = {
    {"ticket_deadlines", jobs_ticket_deadlines},
    {"followups_overdue", jobs_followups_overdue},
    {"idempotency_expiry", expire_idempotency_keys},
    {"incident_acks", jobs_incident_acks},
    {"incident_relays", jobs_incident_relays},
    {"dispatches_overdue", jobs_dispatches_overdue},
};

static const struct job_task outbox_tasks[] = {
    {"outbox_delivery", jobs_outbox_deliver},
};

struct worker {
    const char *name;
    const struct job_task *tasks;
    size_t ntasks;
    int interval_ms;
    pthread_t thread;
    bool running, woken;
};

static struct worker workers[] = {
    {"sweeper", sweeper_tasks, sizeof sweeper_tasks / sizeof sweeper_tasks[0], 0, 0, false,
     false},
    {"outbox", outbox_tasks, sizeof outbox_tasks / sizeof outbox_tasks[0], 0, 0, false, false},
};
#define N_WORKERS (sizeof workers / sizeof workers[0])

#define N_SWEEPER_TASKS (sizeof sweeper_tasks / sizeof sweeper_tasks[0])
#define N_TASKS (N_SWEEPER_TASKS + sizeof outbox_tasks / sizeof outbox_tasks[0])

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping;
static atomic_uint_fast64_t st_runs, st_failures, st_items;
static atomic_int_fast64_t st_last_us, st_last_run;
/* per task, sweeper tasks first, then outbox tasks */
static atomic_uint_fast64_t st_task_items[N_TASKS], st_task_failures[N_TASKS];
static struct histo st_pass_time;

/* The counters' index of a task of either table. */
static size_t task_index(const struct job_task *t)
{
    if (t >= sweeper_tasks && t < sweeper_tasks + N_SWEEPER_TASKS)
        return (size_t)(t - sweeper_tasks);
    return N_SWEEPER_TASKS + (size_t)(t - outbox_tasks);
}

static long run_tasks(const struct job_task *tasks, size_t n, struct db *db, hl_time now)
{
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = task_index(&tasks[i]);
        long done = tasks[i].run(db, now);
        if (done < 0) {
            atomic_fetch_add(&st_failures, 1);
            atomic_fetch_add(&st_task_failures[k], 1);
            log_msg(LOG_WARN, "background task %s failed; it runs again next pass", tasks[i].name);
            continue;
        }
        atomic_fetch_add(&st_task_items[k], (uint_fast64_t)done);
        total += done;
    }
    return total;
}

long jobs_run_once(struct db *db, hl_time now)
{
    int64_t t0 = clock_mono_us();
    long total = run_tasks(sweeper_tasks, N_SWEEPER_TASKS, db, now);
    int64_t took = clock_mono_us() - t0;
    atomic_fetch_add(&st_runs, 1);
    atomic_fetch_add(&st_items, (uint_fast64_t)total);
    atomic_store(&st_last_us, took);
    atomic_store(&st_last_run, now);
    histo_observe(&st_pass_time, took);
    return total;
}

static void sleep_until_woken(struct worker *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long ns = until.tv_nsec + (long)(w->interval_ms % 1000) * 1000000L;
    until.tv_sec += w->interval_ms / 1000 + ns / 1000000000L;
    until.tv_nsec = ns % 1000000000L;
    while (!stopping && !w->woken && pthread_cond_timedwait(&wake, &mu, &until) == 0)
        ;
    w->woken = false;
}

static void *loop(void *arg)
{
    struct worker *w = arg;
    struct db *db = db_new();
    pthread_mutex_lock(&mu);
    while (!stopping) {
        pthread_mutex_unlock(&mu);
        if (w->tasks == sweeper_tasks) {
            jobs_run_once(db, clock_now());
        } else {
            /* keep delivering while there is work, then sleep */
            long n;
            while ((n = run_tasks(w->tasks, w->ntasks, db, clock_now())) > 0 && !stopping)
                ;
        }
        pthread_mutex_lock(&mu);
        sleep_until_woken(w);
    }
    pthread_mutex_unlock(&mu);
    db_free(db);
    return NULL;
}

bool jobs_start(char *err, size_t errlen)
{
    stopping = false;
    workers[0].interval_ms = cfg.sweep_interval_ms;
    workers[1].interval_ms =
        cfg.sweep_interval_ms < OUTBOX_INTERVAL_MS_MAX ? cfg.sweep_interval_ms : OUTBOX_INTERVAL_MS_MAX;
    for (size_t i = 0; i < N_WORKERS; i++) {
        if (pthread_create(&workers[i].thread, NULL, loop, &workers[i]) != 0) {
            snprintf(err, errlen, "cannot start the %s thread", workers[i].name);
            jobs_stop();
            return false;
        }
        workers[i].running = true;
    }
    return true;
}

void jobs_stop(void)
{
    pthread_mutex_lock(&mu);
    stopping = true;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mu);
    for (size_t i = 0; i < N_WORKERS; i++)
        if (workers[i].running) {
            pthread_join(workers[i].thread, NULL);
            workers[i].running = false;
        }
}

void jobs_wake_outbox(void)
{
    pthread_mutex_lock(&mu);
    workers[1].woken = true;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mu);
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
    for (size_t i = 0; i < N_TASKS && i < max; i++) {
        const struct job_task *t =
            i < N_SWEEPER_TASKS ? &sweeper_tasks[i] : &outbox_tasks[i - N_SWEEPER_TASKS];
        out[i].name = t->name;
        out[i].items = atomic_load(&st_task_items[i]);
        out[i].failures = atomic_load(&st_task_failures[i]);
    }
    return N_TASKS;
}
