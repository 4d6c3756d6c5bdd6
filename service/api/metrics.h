/**
 * @file metrics.h
 * @brief GET /metrics: Prometheus text exposition of the process, HTTP, database, sweeper and
 *        hotline gauges.
 */
#ifndef HOTLINE_API_METRICS_H
#define HOTLINE_API_METRICS_H

#include "http/request.h"

void api_metrics_get(struct http_request *req);

#endif
