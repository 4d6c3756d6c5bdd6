/**
 * @file followups.h
 * @brief Handlers of /followups and /tickets/{id}/followups.
 */
#ifndef HOTLINE_API_FOLLOWUPS_H
#define HOTLINE_API_FOLLOWUPS_H

#include "http/request.h"

void api_followups_create(struct http_request *req);
void api_followups_list(struct http_request *req);
void api_followups_get(struct http_request *req);
void api_followups_attempt(struct http_request *req);

#endif
