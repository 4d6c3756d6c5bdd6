/**
 * @file complaints.h
 * @brief Handlers of the complaint steps: dispatches, escalations, hand-over, extensions, review.
 */
#ifndef HOTLINE_API_COMPLAINTS_H
#define HOTLINE_API_COMPLAINTS_H

#include "http/request.h"

void api_dispatches_create(struct http_request *req);
void api_dispatches_list(struct http_request *req);
void api_dispatches_get(struct http_request *req);
void api_dispatches_accept(struct http_request *req);
void api_dispatches_return(struct http_request *req);
void api_dispatches_reply(struct http_request *req);
void api_dispatches_redispatch(struct http_request *req);
void api_dispatches_ruling(struct http_request *req);
void api_escalations_create(struct http_request *req);
void api_escalations_list(struct http_request *req);
void api_tickets_handover(struct http_request *req);
void api_extensions_create(struct http_request *req);
void api_extensions_list(struct http_request *req);
void api_extensions_decide(struct http_request *req);
void api_tickets_review(struct http_request *req);

#endif
