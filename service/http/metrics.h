/**
 * @file metrics.h
 * @brief Per-route HTTP counters for /metrics: requests by route template, method and status,
 *        and a latency histogram per route. Fixed arrays indexed by the route's row in the
 *        table, filled with relaxed atomic adds: nothing on the request path takes a lock.
 */
#ifndef HOTLINE_HTTP_METRICS_H
#define HOTLINE_HTTP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/timefmt.h"
#include "http/request.h"
#include "util/strbuf.h"

/**
 * Size the counters for routes[0..n) (plus one row for requests that matched no route).
 * Call once before the server starts; the table must outlive the process.
 * @return false when out of memory.
 */
bool http_metrics_init(const struct route *routes, size_t n);

/** The server's observer (an http_observer): count one finished request. route may be NULL. */
void http_metrics_observe(const struct route *route, int status, int64_t duration_us);

/** Append hotline_http_requests_total and hotline_http_request_duration_seconds. */
void http_metrics_render(struct strbuf *sb);

/** When http_metrics_init ran: the process start, for process_start_time_seconds. */
hl_time http_metrics_started(void);

/** Requests counted for one route and status so far (tests and diagnostics). */
uint64_t http_metrics_count(const struct route *route, int status);

#endif
