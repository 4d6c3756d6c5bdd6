/**
 * @file server.h
 * @brief The libmicrohttpd daemon: edge checks, body collection, auth, dispatch, access log.
 */
#ifndef HOTLINE_HTTP_SERVER_H
#define HOTLINE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

/** Observer of finished requests (for metrics); may be NULL. */
typedef void (*http_observer)(const struct route *route, int status, int64_t duration_us);

/**
 * Start listening with cfg's settings and serve routes[0..n).
 * @return true when listening; false with err filled.
 */
bool http_server_start(const struct route *routes, size_t n, http_observer observe, char *err,
                       size_t errlen);

/** The bound port (useful when HOTLINE_LISTEN asked for port 0). */
int http_server_port(void);

/** Requests being processed now. */
long http_server_in_flight(void);

/** Client connections open now (0 when not serving). */
long http_server_connections(void);

/**
 * Stop accepting, let in-flight requests finish (up to grace_ms), then close everything.
 */
void http_server_stop(int grace_ms);

#endif
