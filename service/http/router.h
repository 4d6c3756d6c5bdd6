/**
 * @file router.h
 * @brief Match a method and a decoded path against the route table.
 */
#ifndef HOTLINE_HTTP_ROUTER_H
#define HOTLINE_HTTP_ROUTER_H

#include <stddef.h>

#include "http/request.h"

enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };

/**
 * Find the route for method + path. HEAD matches GET routes.
 * @param[out] req->route and req->params on ROUTE_FOUND
 * @param[out] allow on ROUTE_NO_METHOD (and ROUTE_FOUND): the methods the path accepts,
 *             comma-separated, for the Allow header
 */
enum route_match router_match(const struct route *table, size_t n, const char *method,
                              const char *path, struct http_request *req, char *allow,
                              size_t allowlen);

/** True when a path matches a pattern; fills params when req is not NULL. */
bool router_path_matches(const char *pattern, const char *path, struct http_request *req);

#endif
