/**
 * @file metrics.c
 * @brief GET /metrics. Everything but the hotline gauges is read from atomics; the gauges are
 *        one SQL statement (store/gauges.c). When the database cannot answer, the scrape still
 *        succeeds with hotline_gauges_up 0, so an outage shows in the metrics instead of
 *        hiding them.
 *
 * Extension point (issue 6): the outbox delivery task, when it lands, adds
 * hotline_outbox_delivery_failures_total (a counter kept beside jobs_stats) in render_jobs;
 * the backlog (hotline_outbox_pending) is already a branch of the gauges statement.
 */
#include "api/metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "calendar_cache.h"
#include "clock.h"
#include "config.h"
#include "http/metrics.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "store/db.h"
#include "store/gauges.h"
#include "util/promtext.h"
#include "util/strbuf.h"

static void gauge(struct strbuf *sb, const char *name, const char *help, double v)
{
    prom_family(sb, name, "gauge", help);
    prom_sample(sb, name, NULL, v);
}

static void counter(struct strbuf *sb, const char *name, const char *help, uint64_t v)
{
    prom_family(sb, name, "counter", help);
    prom_sample_u64(sb, name, NULL, v);
}

static void counter_seconds(struct strbuf *sb, const char *name, const char *help, double v)
{
    prom_family(sb, name, "counter", help);
    prom_sample(sb, name, NULL, v);
}

static void render_build(struct strbuf *sb)
{
    struct prom_labels l;
    prom_labels_init(&l);
    prom_labels_add(&l, "version", HOTLINE_VERSION);
    prom_family(sb, "hotline_build_info", "gauge", "Always 1; the version is a label.");
    prom_sample(sb, "hotline_build_info", &l, 1);
}

static void render_http(struct strbuf *sb)
{
    http_metrics_render(sb);
    gauge(sb, "hotline_http_requests_in_flight", "Requests being processed now (this one too).",
          (double)http_server_in_flight());
    gauge(sb, "hotline_http_connections", "Open client connections.",
          (double)http_server_connections());
    gauge(sb, "hotline_http_worker_threads", "HTTP worker threads (HOTLINE_THREADS).",
          (double)cfg.threads);
}

static void render_db(struct strbuf *sb)
{
    struct db_stats st;
    db_stats_get(&st);
    /* Each worker thread and the sweeper own one connection: that is the pool. */
    gauge(sb, "hotline_db_connections_max",
          "Most database connections this process opens: one per worker thread, one for the "
          "sweeper.",
          (double)cfg.threads + 1);
    gauge(sb, "hotline_db_connections_open", "Database connections open now.", (double)st.open);
    gauge(sb, "hotline_db_connections_in_use", "Database connections running a statement now.",
          (double)st.in_use);
    counter_seconds(sb, "hotline_db_connect_wait_seconds_total",
                    "Time spent waiting for database connections to open (failed tries included).",
                    (double)st.connect_wait_us / 1e6);
    counter(sb, "hotline_db_connects_total", "Database connections opened.", st.connects);
    counter(sb, "hotline_db_reconnects_total",
            "Database connections opened again after one was lost or dropped.", st.reconnects);
    counter(sb, "hotline_db_connect_failures_total", "Failed attempts to open a connection.",
            st.connect_failures);
    counter(sb, "hotline_db_statements_total", "Statements sent to the database.", st.statements);
    prom_family(sb, "hotline_db_errors_total", "counter",
                "Statements that failed, by outcome (unavailable includes statements refused "
                "while the database is unreachable).");
    const enum db_status kinds[] = {DB_UNAVAILABLE, DB_TIMEOUT, DB_RETRY,
                                    DB_DUPLICATE,   DB_INVALID, DB_ERROR};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        struct prom_labels l;
        prom_labels_init(&l);
        prom_labels_add(&l, "kind", db_status_name(kinds[i]));
        prom_sample_u64(sb, "hotline_db_errors_total", &l, st.failures[kinds[i]]);
    }
    prom_family(sb, "hotline_db_statement_duration_seconds", "histogram",
                "Time to run one statement, preparation included.");
    prom_histogram(sb, "hotline_db_statement_duration_seconds", NULL, &st.statement_seconds);
}

static void render_jobs(struct strbuf *sb)
{
    struct jobs_stats st;
    jobs_stats_get(&st);
    counter(sb, "hotline_sweeper_runs_total", "Passes of the background sweeper.", st.runs);
    counter(sb, "hotline_sweeper_failures_total", "Sweeper tasks that failed (they run again).",
            st.failures);
    counter(sb, "hotline_sweeper_items_total", "Rows the sweeper handled.", st.items);
    gauge(sb, "hotline_sweeper_last_run_timestamp_seconds",
          "When the last sweeper pass ran (Unix time; 0: not yet). Alert when it stops moving.",
          (double)st.last_run / 1e6);
    prom_family(sb, "hotline_sweeper_pass_duration_seconds", "histogram",
                "Time one sweeper pass took, all tasks.");
    prom_histogram(sb, "hotline_sweeper_pass_duration_seconds", NULL, &st.pass_seconds);

    struct jobs_task_stats tasks[32];
    size_t n = jobs_task_stats_get(tasks, 32);
    n = n < 32 ? n : 32;
    const char *names[] = {"hotline_sweeper_task_items_total",
                           "hotline_sweeper_task_failures_total"};
    const char *helps[] = {"Rows a sweeper task handled.", "Failed runs of a sweeper task."};
    for (int k = 0; k < 2; k++) {
        prom_family(sb, names[k], "counter", helps[k]);
        for (size_t i = 0; i < n; i++) {
            struct prom_labels l;
            prom_labels_init(&l);
            prom_labels_add(&l, "task", tasks[i].name);
            prom_sample_u64(sb, names[k], &l, k ? tasks[i].failures : tasks[i].items);
        }
    }
}

struct gauge_ctx {
    struct strbuf *sb;
    char family[96];
};

static void on_gauge(void *cls, const struct store_gauge *g)
{
    struct gauge_ctx *ctx = cls;
    if (strcmp(ctx->family, g->name) != 0) {
        snprintf(ctx->family, sizeof ctx->family, "%s", g->name);
        prom_family(ctx->sb, g->name, "gauge", g->help);
    }
    struct prom_labels l;
    prom_labels_init(&l);
    for (int i = 0; i < g->nlabels; i++)
        if (prom_valid_name(g->label_names[i], false))
            prom_labels_add(&l, g->label_names[i], g->label_values[i]);
    prom_sample(ctx->sb, g->name, &l, g->value);
}

static void render_gauges(struct strbuf *sb, struct http_request *req)
{
    struct gauge_ctx ctx = {.sb = sb};
    int64_t t0 = clock_mono_us();
    /* "today" is the business calendar's day, as in the reports (the calendar is cached) */
    const struct calendar *cal;
    enum db_status s = calendar_acquire(http_db(req), &cal);
    if (s == DB_OK) {
        hl_time day_start = cal_at(cal, cal_local_day(cal, req->now, NULL), 0);
        calendar_release(cal);
        s = store_hotline_gauges(http_db(req), req->now, day_start, on_gauge, &ctx);
    }
    gauge(sb, "hotline_gauges_up",
          "1 when the hotline gauges (tickets, follow-ups) were read from the database for this "
          "scrape; 0 when the database did not answer.",
          s == DB_OK);
    gauge(sb, "hotline_gauges_duration_seconds", "Time the gauges statement took.",
          (double)(clock_mono_us() - t0) / 1e6);
}

static long count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory stream's own descriptor */
}

static void render_process(struct strbuf *sb)
{
    gauge(sb, "process_start_time_seconds", "When the process started (Unix time).",
          (double)http_metrics_started() / 1e6);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        counter_seconds(sb, "process_cpu_seconds_total", "User and system CPU time spent.",
                        (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                            (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    FILE *f = fopen("/proc/self/statm", "r");
    long pages_total = 0, pages_rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages_total, &pages_rss) == 2) {
            long page = sysconf(_SC_PAGESIZE);
            gauge(sb, "process_virtual_memory_bytes", "Virtual memory size.",
                  (double)pages_total * (double)page);
            gauge(sb, "process_resident_memory_bytes", "Resident memory size.",
                  (double)pages_rss * (double)page);
        }
        fclose(f);
    }
    long fds = count_open_fds();
    if (fds >= 0)
        gauge(sb, "process_open_fds", "Open file descriptors.", (double)fds);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        gauge(sb, "process_max_fds", "Most file descriptors the process may open.",
              (double)rl.rlim_cur);
}

void api_metrics_get(struct http_request *req)
{
    struct strbuf sb;
    strbuf_init(&sb);
    render_build(&sb);
    render_http(&sb);
    render_db(&sb);
    render_jobs(&sb);
    render_gauges(&sb, req);
    render_process(&sb);
    size_t len = 0;
    char *body = strbuf_steal(&sb, &len);
    http_add_header(req, "Cache-Control", "no-store");
    http_reply_text(req, 200, body, len, PROM_CONTENT_TYPE);
}
