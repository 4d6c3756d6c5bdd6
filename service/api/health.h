/**
 * @file health.h
 * @brief /healthz (the process answers) and /readyz (database reachable, schema current).
 */
#ifndef HOTLINE_API_HEALTH_H
#define HOTLINE_API_HEALTH_H

#include "http/request.h"

void api_health_live(struct http_request *req);
void api_health_ready(struct http_request *req);

#endif
