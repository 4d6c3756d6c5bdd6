/**
 * @file test_list_shapes.c
 * @brief List queries are built from the filters given and prepared once per connection per
 *        shape (db_exec_dynamic), up to a limit, then run unprepared: every combination of
 *        filters answers the same on one connection, before and after that limit.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static struct hs srv;
static const char *agent;

static int setup(void **state)
{
    (void)state;
    const char *env[] = {"HOTLINE_THREADS=1", NULL}; /* one worker: one connection sees all */
    hs_start(&srv, "shapes", env);
    agent = h_token("agent", "shapes");
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent,
                             "{\"class\":\"hard\",\"kind\":\"complaint\",\"subject\":\"s\","
                             "\"caller_phone\":\"13800138000\"}",
                             NULL);
    h_expect(r, 201);
    h_free(r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static void test_every_filter_combination_twice(void **state)
{
    (void)state;
    static const char *const filters[] = {
        "status=new", "class=hard", "kind=complaint", "owner=shapes", "phone=13800138000",
        "created_from=2000-01-01T00:00:00Z", "created_to=2100-01-01T00:00:00Z"};
    const int n = sizeof filters / sizeof filters[0];
    for (int round = 0; round < 2; round++) /* 128 shapes: past the 64 prepared, then reused */
        for (int mask = 0; mask < (1 << n); mask++) {
            char path[512] = "/tickets?limit=5";
            for (int i = 0; i < n; i++)
                if (mask & (1 << i)) {
                    strcat(path, "&");
                    strcat(path, filters[i]);
                }
            struct h_resp *r = h_get(&srv, agent, "%s", path);
            h_expect(r, 200);
            /* every filter matches the one ticket */
            assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
            h_free(r);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_filter_combination_twice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
