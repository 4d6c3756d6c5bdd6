/**
 * @file notifications.h
 * @brief Handlers of /incidents/{id}/notifications and /incidents/{id}/report: building the
 *        lists, agents claiming customers one by one, call results, the report.
 */
#ifndef HOTLINE_API_NOTIFICATIONS_H
#define HOTLINE_API_NOTIFICATIONS_H

#include "http/request.h"

void api_notifications_build(struct http_request *req);
void api_notifications_list(struct http_request *req);
void api_notifications_claim(struct http_request *req);
void api_notifications_result(struct http_request *req);
void api_incidents_report(struct http_request *req);

#endif
