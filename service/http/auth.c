/**
 * @file auth.c
 * @brief Tokens are looked up by their SHA-256; the raw token is never stored or logged.
 */
#include "http/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "domain/roles.h"
#include "store/token_cache.h"
#include "util/crypto.h"

#define TOKEN_MAX 128

bool auth_token_well_formed(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 8 && n <= TOKEN_MAX &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=") == n;
}

static void unauthorized(struct http_request *req, const char *challenge, const char *detail)
{
    http_reply_problem(req, PROBLEM_UNAUTHORIZED, "%s", detail);
    http_add_header(req, "WWW-Authenticate", challenge);
}

bool auth_token_or_reply(struct http_request *req, const char *token)
{
    if (!auth_token_well_formed(token)) {
        unauthorized(req, "Bearer error=\"invalid_token\"", "the token is malformed");
        return false;
    }
    char hash[SHA256_HEX_LEN], role[TOKEN_ROLE_MAX], name[TOKEN_NAME_MAX];
    crypto_sha256_hex(token, strlen(token), hash);
    enum db_status s = store_token_find_cached(http_db(req), hash, role, name);
    if (s == DB_NOT_FOUND) {
        unauthorized(req, "Bearer error=\"invalid_token\"", "the token is unknown or revoked");
        return false;
    }
    if (s != DB_OK) {
        http_reply_problem(req, PROBLEM_UNAVAILABLE, "cannot check the token now; retry");
        return false;
    }
    req->auth.role = role_parse(role);
    snprintf(req->auth.role_name, sizeof req->auth.role_name, "%s", role);
    snprintf(req->auth.name, sizeof req->auth.name, "%s", name);
    if (!(req->route->roles & req->auth.role)) {
        http_reply_problem(req, PROBLEM_FORBIDDEN, "the role %s may not %s %s", role,
                           req->route->method, req->route->pattern);
        return false;
    }
    return true;
}

/* The scrape token (HOTLINE_METRICS_TOKEN) opens only ROUTE_SCRAPE_TOKEN routes and needs no
 * database, so Prometheus still reads /metrics while PostgreSQL is down. Compared as SHA-256
 * digests, in constant time. */
static bool scrape_token_or_continue(struct http_request *req, const char *token)
{
    if (!(req->route->flags & ROUTE_SCRAPE_TOKEN) || !cfg.metrics_token[0])
        return false;
    char want[SHA256_HEX_LEN], got[SHA256_HEX_LEN];
    crypto_sha256_hex(cfg.metrics_token, strlen(cfg.metrics_token), want);
    crypto_sha256_hex(token, strlen(token), got);
    if (!crypto_equal(want, got, SHA256_HEX_LEN))
        return false;
    req->auth.role = 0;
    snprintf(req->auth.role_name, sizeof req->auth.role_name, "scrape");
    snprintf(req->auth.name, sizeof req->auth.name, "metrics-token");
    return true;
}

bool auth_or_reply(struct http_request *req)
{
    if (req->route->roles == 0)
        return true;
    const char *h = http_header(req, "Authorization");
    const char *in_query = req->route->flags & ROUTE_QUERY_TOKEN ? http_query(req, "token") : NULL;
    if (!h && in_query)
        return auth_token_or_reply(req, in_query);
    if (!h) {
        unauthorized(req, "Bearer", "send Authorization: Bearer <token>");
        return false;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        unauthorized(req, "Bearer error=\"invalid_request\"",
                     "the Authorization header must use the Bearer scheme");
        return false;
    }
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    if (scrape_token_or_continue(req, token))
        return true;
    return auth_token_or_reply(req, token);
}
