/**
 * @file test_json_scan.c
 * @brief json_scan_int: a top-level integer member, never one in a string or a nested value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/json_scan.h"

static const struct {
    const char *json, *key;
    bool ok;
    int64_t want;
} cases[] = {
    /* bad input first */
    {NULL, "id", false, 0},
    {"", "id", false, 0},
    {"[1,2]", "id", false, 0},
    {"{}", "id", false, 0},
    {"{\"id\":\"12\"}", "id", false, 0},
    {"{\"id\":1.5}", "id", false, 0},
    {"{\"id\":null}", "id", false, 0},
    {"{\"id\":99999999999999999999}", "id", false, 0},
    {"{\"ids\":1}", "id", false, 0},
    {"{\"i\":1}", "id", false, 0},
    {"{\"a\":{\"id\":3}}", "id", false, 0},
    {"{\"a\":[{\"id\":3}]}", "id", false, 0},
    {"{\"a\":\"\\\"id\\\":3\"}", "id", false, 0},
    {"{\"a\":\"x\",\"b\":\"id\"}", "id", false, 0},
    /* good */
    {"{\"id\":12}", "id", true, 12},
    {" { \"id\" : -7 , \"x\":1}", "id", true, -7},
    {"{\"a\":{\"version\":9},\"version\":2}", "version", true, 2},
    {"{\"a\":[1,{\"version\":9}],\"b\":\"{\\\"version\\\":8}\",\"version\":3}", "version", true, 3},
    {"{\"subject\":\"\\\\\",\"version\":4}", "version", true, 4},
    {"{\"id\":9223372036854775807}", "id", true, INT64_MAX},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = 0;
        bool ok = json_scan_int(cases[i].json, cases[i].key, &got);
        if (ok != cases[i].ok || (ok && got != cases[i].want))
            fail_msg("case %zu (%s, %s): ok=%d got=%lld", i, cases[i].json ? cases[i].json : "NULL",
                     cases[i].key, ok, (long long)got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
