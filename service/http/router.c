/**
 * @file router.c
 * @brief Segment-by-segment matching; "{name}" captures one non-empty segment.
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Compare one pattern segment [p, pe) with one path segment [s, se). */
static bool segment_matches(const char *p, const char *pe, const char *s, const char *se,
                            struct http_request *req)
{
    if (*p == '{') {
        if (se == s || (size_t)(se - s) >= sizeof req->params[0].value)
            return false;
        if (req && req->nparams < ROUTE_MAX_PARAMS) {
            int i = req->nparams++;
            snprintf(req->params[i].name, sizeof req->params[i].name, "%.*s", (int)(pe - p - 2),
                     p + 1);
            memcpy(req->params[i].value, s, (size_t)(se - s));
            req->params[i].value[se - s] = '\0';
        }
        return true;
    }
    return pe - p == se - s && memcmp(p, s, (size_t)(pe - p)) == 0;
}

bool router_path_matches(const char *pattern, const char *path, struct http_request *req)
{
    if (req)
        req->nparams = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        const char *pe = strchrnul(p, '/'), *se = strchrnul(s, '/');
        if (!segment_matches(p, pe, s, se, req))
            return false;
        p = pe;
        s = se;
    }
    return *p == '\0' && *s == '\0';
}

static void allow_add(char *allow, size_t len, const char *method)
{
    if (strstr(allow, method))
        return;
    size_t used = strlen(allow);
    snprintf(allow + used, len - used, "%s%s", used ? ", " : "", method);
}

enum route_match router_match(const struct route *table, size_t n, const char *method,
                              const char *path, struct http_request *req, char *allow,
                              size_t allowlen)
{
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const struct route *found = NULL;
    allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!router_path_matches(table[i].pattern, path, NULL))
            continue;
        allow_add(allow, allowlen, table[i].method);
        if (strcmp(table[i].method, "GET") == 0)
            allow_add(allow, allowlen, "HEAD");
        if (!found && strcmp(table[i].method, want) == 0)
            found = &table[i];
    }
    if (found) {
        router_path_matches(found->pattern, path, req);
        req->route = found;
        return ROUTE_FOUND;
    }
    return allow[0] ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}
