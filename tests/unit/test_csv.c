/**
 * @file test_csv.c
 * @brief CSV fields: quoting, formula neutralising, numbers written as in the JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/csv.h"

static const struct {
    const char *json; /* one JSON value */
    const char *want; /* the field */
} rows[] = {
    {"\"=HYPERLINK(\\\"http://x\\\")\"", "\"'=HYPERLINK(\"\"http://x\"\")\""},
    {"\"+1\"", "\"'+1\""},
    {"\"-2\"", "\"'-2\""},
    {"\"@SUM(A1)\"", "\"'@SUM(A1)\""},
    {"\"a,b\"", "\"a,b\""},
    {"\"say \\\"hi\\\"\"", "\"say \"\"hi\"\"\""},
    {"\"two\\nlines\"", "\"two\nlines\""},
    {"\"li\"", "li"},
    {"\"张三\"", "张三"},
    {"\"\"", ""},
    {"null", ""},
    {"true", "true"},
    {"false", "false"},
    {"0", "0"},
    {"42", "42"},
    {"0.5", "0.5"},
    {"0.6667", "0.6667"},
    {"10.25", "10.25"},
    {"240.0", "240.0"},
    {"1", "1"},
};

static void test_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *v = json_loads(rows[i].json, JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        struct strbuf sb;
        strbuf_init(&sb);
        csv_field(&sb, v, true);
        if (strcmp(sb.data ? sb.data : "", rows[i].want) != 0)
            fail_msg("%s -> [%s], want [%s]", rows[i].json, sb.data, rows[i].want);
        strbuf_free(&sb);
        json_decref(v);
    }
}

static void test_lines(void **state)
{
    (void)state;
    json_t *row =
        json_loads("{\"agent\":\"li\",\"calls\":3,\"service_level\":0.5,\"asa\":null}", 0, NULL);
    struct strbuf sb;
    strbuf_init(&sb);
    csv_header(&sb, row);
    csv_row(&sb, row);
    assert_string_equal(sb.data, "agent,calls,service_level,asa\r\nli,3,0.5,\r\n");
    strbuf_free(&sb);
    json_decref(row);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
