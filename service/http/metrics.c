/**
 * @file metrics.c
 * @brief Request counters: one row per route, one slot per status code 100–599.
 *
 * A request that matched no route (404, 405, an edge refusal) lands in the last row, labelled
 * route="unmatched" and method="": the raw path and method are client input and would give
 * Prometheus unbounded label values.
 */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "util/histo.h"
#include "util/promtext.h"

#define STATUS_MIN 100
#define STATUS_SLOTS 500 /* 100..599 */

struct route_stats {
    atomic_uint_fast64_t by_status[STATUS_SLOTS];
    struct histo latency;
};

static const struct route *table;
static size_t nroutes;
static struct route_stats *stats; /* nroutes + 1 rows; the last is "unmatched" */
static hl_time started;

bool http_metrics_init(const struct route *routes, size_t n)
{
    struct route_stats *s = calloc(n + 1, sizeof *s);
    if (!s)
        return false;
    free(stats);
    stats = s;
    table = routes;
    nroutes = n;
    started = clock_now();
    return true;
}

hl_time http_metrics_started(void)
{
    return started;
}

static struct route_stats *row_of(const struct route *route)
{
    if (!stats)
        return NULL;
    if (route && route >= table && route < table + nroutes)
        return &stats[route - table];
    return &stats[nroutes];
}

void http_metrics_observe(const struct route *route, int status, int64_t duration_us)
{
    struct route_stats *s = row_of(route);
    if (!s)
        return;
    if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SLOTS)
        atomic_fetch_add_explicit(&s->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
    histo_observe(&s->latency, duration_us);
}

uint64_t http_metrics_count(const struct route *route, int status)
{
    struct route_stats *s = row_of(route);
    if (!s || status < STATUS_MIN || status >= STATUS_MIN + STATUS_SLOTS)
        return 0;
    return atomic_load_explicit(&s->by_status[status - STATUS_MIN], memory_order_relaxed);
}

static void route_labels(size_t i, struct prom_labels *l)
{
    prom_labels_init(l);
    prom_labels_add(l, "method", i < nroutes ? table[i].method : "");
    prom_labels_add(l, "route", i < nroutes ? table[i].pattern : "unmatched");
}

void http_metrics_render(struct strbuf *sb)
{
    if (!stats)
        return;
    prom_family(sb, "hotline_http_requests_total", "counter",
                "HTTP requests answered, by route template, method and status code.");
    for (size_t i = 0; i <= nroutes; i++)
        for (int slot = 0; slot < STATUS_SLOTS; slot++) {
            uint64_t n = atomic_load_explicit(&stats[i].by_status[slot], memory_order_relaxed);
            if (!n)
                continue;
            struct prom_labels l;
            char code[12];
            route_labels(i, &l);
            snprintf(code, sizeof code, "%d", STATUS_MIN + slot);
            prom_labels_add(&l, "status", code);
            prom_sample_u64(sb, "hotline_http_requests_total", &l, n);
        }
    prom_family(sb, "hotline_http_request_duration_seconds", "histogram",
                "Time from the request line to the completed answer, by route template.");
    for (size_t i = 0; i <= nroutes; i++) {
        struct prom_labels l;
        struct histo_snapshot h;
        route_labels(i, &l);
        histo_snapshot(&stats[i].latency, &h);
        prom_histogram(sb, "hotline_http_request_duration_seconds", &l, &h);
    }
}
