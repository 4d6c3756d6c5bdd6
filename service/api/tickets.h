/**
 * @file tickets.h
 * @brief Handlers of /tickets.
 */
#ifndef HOTLINE_API_TICKETS_H
#define HOTLINE_API_TICKETS_H

#include "app/tickets.h"
#include "http/request.h"

void api_tickets_create(struct http_request *req);
void api_tickets_get(struct http_request *req);
void api_tickets_patch(struct http_request *req);
void api_tickets_list(struct http_request *req);
void api_tickets_events(struct http_request *req);
void api_tickets_transition(struct http_request *req);
void api_tickets_relays(struct http_request *req);

/** 409 for a refused transition: the allowed ones, and for a complaint the missing step. */
void api_reply_transition_refused(struct http_request *req, const struct ticket_transition *t);

#endif
