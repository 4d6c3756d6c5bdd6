/**
 * @file auth.h
 * @brief Bearer-token authentication and role authorization of a routed request.
 */
#ifndef HOTLINE_HTTP_AUTH_H
#define HOTLINE_HTTP_AUTH_H

#include <stdbool.h>

#include "http/request.h"

/**
 * Authenticate req (Authorization: Bearer …) and check its role against the route's mask.
 * Open routes pass without a token.
 * @return true to go on; false when a 401/403/503 reply was set.
 */
bool auth_or_reply(struct http_request *req);

/** True when s looks like a token we issue (checked before hashing). */
bool auth_token_well_formed(const char *s);

/**
 * Authenticate a token given outside the Authorization header (e.g. in a PBX's URL) and check
 * the route's mask, as auth_or_reply does.
 */
bool auth_token_or_reply(struct http_request *req, const char *token);

#endif
