/**
 * @file customers.h
 * @brief Handlers of /customers: the directory (confidential: staff roles only, reads audited)
 *        and its streamed bulk import.
 */
#ifndef HOTLINE_API_CUSTOMERS_H
#define HOTLINE_API_CUSTOMERS_H

#include "http/request.h"

void api_customers_create(struct http_request *req);
void api_customers_get(struct http_request *req);
void api_customers_patch(struct http_request *req);
void api_customers_list(struct http_request *req);

/** POST /customers/import: the handler (after the last byte) and the body stream. */
void api_customers_import(struct http_request *req);
extern const struct route_stream api_customers_import_stream;

#endif
