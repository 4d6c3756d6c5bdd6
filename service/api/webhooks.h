/**
 * @file webhooks.h
 * @brief Handlers of /webhooks (admin): who is told of which events.
 */
#ifndef HOTLINE_API_WEBHOOKS_H
#define HOTLINE_API_WEBHOOKS_H

#include "http/request.h"

void api_webhooks_create(struct http_request *req);
void api_webhooks_list(struct http_request *req);
void api_webhooks_delete(struct http_request *req);

#endif
