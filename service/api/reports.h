/**
 * @file reports.h
 * @brief GET /reports/daily and GET /reports/summary, as JSON or CSV (Accept: text/csv).
 */
#ifndef HOTLINE_API_REPORTS_H
#define HOTLINE_API_REPORTS_H

#include "http/request.h"

void api_reports_daily(struct http_request *req);
void api_reports_summary(struct http_request *req);

#endif
