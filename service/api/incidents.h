/**
 * @file incidents.h
 * @brief Handlers of /incidents (and POST /tickets/{id}/incident): reports relayed to
 *        operations at once, the acknowledgement, the lifecycle and its history.
 */
#ifndef HOTLINE_API_INCIDENTS_H
#define HOTLINE_API_INCIDENTS_H

#include "http/request.h"

void api_incidents_create(struct http_request *req);
void api_incidents_from_ticket(struct http_request *req);
void api_incidents_get(struct http_request *req);
void api_incidents_list(struct http_request *req);
void api_incidents_events(struct http_request *req);
void api_incidents_transition(struct http_request *req);
void api_incidents_ack(struct http_request *req);

#endif
