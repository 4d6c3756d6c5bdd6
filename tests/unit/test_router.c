/**
 * @file test_router.c
 * @brief Route matching over the real table: 404, 405 with Allow, parameters, hostile paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "api/routes.h"
#include "http/router.h"

static void test_table(void **state)
{
    (void)state;
    size_t n;
    const struct route *t = api_routes(&n);
    struct {
        const char *method, *path;
        enum route_match want;
        const char *pattern, *id;
    } rows[] = {
        {"GET", "/", ROUTE_NO_PATH, NULL, NULL},
        {"GET", "", ROUTE_NO_PATH, NULL, NULL},
        {"GET", "/tickets/", ROUTE_NO_PATH, NULL, NULL},
        {"GET", "//tickets", ROUTE_NO_PATH, NULL, NULL},
        {"GET", "/tickets/1/", ROUTE_NO_PATH, NULL, NULL},
        {"GET", "/TICKETS", ROUTE_NO_PATH, NULL, NULL},
        {"GET", "/tickets/1/events/2", ROUTE_NO_PATH, NULL, NULL},
        {"DELETE", "/tickets/1", ROUTE_NO_METHOD, NULL, NULL},
        {"PUT", "/tickets", ROUTE_NO_METHOD, NULL, NULL},
        {"GET", "/tickets", ROUTE_FOUND, "/tickets", NULL},
        {"HEAD", "/tickets", ROUTE_FOUND, "/tickets", NULL},
        {"GET", "/tickets/42", ROUTE_FOUND, "/tickets/{id}", "42"},
        {"GET", "/tickets/..", ROUTE_FOUND, "/tickets/{id}", ".."},
        {"PATCH", "/tickets/7", ROUTE_FOUND, "/tickets/{id}", "7"},
        {"GET", "/tickets/7/events", ROUTE_FOUND, "/tickets/{id}/events", "7"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct http_request req;
        memset(&req, 0, sizeof req);
        char allow[128];
        enum route_match m =
            router_match(t, n, rows[i].method, rows[i].path, &req, allow, sizeof allow);
        if (m != rows[i].want)
            fail_msg("%s %s: got %d", rows[i].method, rows[i].path, m);
        if (m == ROUTE_FOUND)
            assert_string_equal(req.route->pattern, rows[i].pattern);
        if (rows[i].id)
            assert_string_equal(http_param(&req, "id"), rows[i].id);
        if (m == ROUTE_NO_METHOD)
            assert_true(strlen(allow) > 0);
    }
}

static void test_long_segment_does_not_match(void **state)
{
    (void)state;
    char path[600] = "/tickets/";
    memset(path + 9, '9', 400);
    path[409] = '\0';
    size_t n;
    const struct route *t = api_routes(&n);
    struct http_request req;
    memset(&req, 0, sizeof req);
    char allow[128];
    assert_int_equal(router_match(t, n, "GET", path, &req, allow, sizeof allow), ROUTE_NO_PATH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_long_segment_does_not_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
