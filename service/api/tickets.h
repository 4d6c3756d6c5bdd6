/**
 * @file tickets.h
 * @brief Handlers of /tickets.
 */
#ifndef HOTLINE_API_TICKETS_H
#define HOTLINE_API_TICKETS_H

#include "http/request.h"

void api_tickets_create(struct http_request *req);
void api_tickets_get(struct http_request *req);
void api_tickets_patch(struct http_request *req);
void api_tickets_list(struct http_request *req);
void api_tickets_events(struct http_request *req);
void api_tickets_transition(struct http_request *req);
void api_tickets_relays(struct http_request *req);

#endif
