/**
 * @file routes.h
 * @brief The router table: every route, its handler, the roles that may call it and the query
 *        parameters it accepts. The README's authorization matrix and the OpenAPI paths are
 *        checked against this table by the tests.
 */
#ifndef HOTLINE_API_ROUTES_H
#define HOTLINE_API_ROUTES_H

#include <stddef.h>

#include "http/request.h"

/** The table and its length. */
const struct route *api_routes(size_t *n);

#endif
