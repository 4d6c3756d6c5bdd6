/**
 * @file calendar.h
 * @brief Handlers of /calendar: the business calendar and its days (holidays, make-up days).
 */
#ifndef HOTLINE_API_CALENDAR_H
#define HOTLINE_API_CALENDAR_H

#include "http/request.h"

void api_calendar_get(struct http_request *req);
void api_calendar_put(struct http_request *req);
void api_calendar_days_list(struct http_request *req);
void api_calendar_day_get(struct http_request *req);
void api_calendar_day_put(struct http_request *req);
void api_calendar_day_delete(struct http_request *req);

#endif
