/**
 * @file audit.h
 * @brief Customer data leaves the service only with an audit entry (信息保密制度).
 */
#ifndef HOTLINE_API_AUDIT_H
#define HOTLINE_API_AUDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "http/request.h"

/**
 * Record that the request's actor reads or exports customer data.
 * @param detail a JSON object of filters and counts (never the data), stolen; may be NULL
 * @return false after replying (the data must then not be sent)
 */
bool api_audit_or_reply(struct http_request *req, const char *action, const char *subject,
                        json_t *detail);

#endif
