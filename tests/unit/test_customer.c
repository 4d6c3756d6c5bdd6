/**
 * @file test_customer.c
 * @brief Customer records from JSON and CSV, notification results and selections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/customer.h"
#include "domain/notify.h"

static bool has_error(const struct verrors *e, const char *field)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->e[i].field, field) == 0)
            return true;
    return false;
}

static void test_bad_json(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        bool patch;
        const char *field;
    } rows[] = {
        {"{}", false, "account_number"},
        {"{}", false, "name"},
        {"{}", true, ""},
        {"[]", false, ""},
        {"{\"account_number\":\"\",\"name\":\"x\"}", false, "account_number"},
        {"{\"account_number\":\" A1\",\"name\":\"x\"}", false, "account_number"},
        {"{\"account_number\":\"A1\",\"name\":null}", false, "name"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"phones\":\"138\"}", false, "phones"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"phones\":[\"12ab\"]}", false, "phones"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"phones\":[1380013]}", false, "phones"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"phones\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"]}",
         false, "phones"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"phones\":[\"110\",\"120\",\"119\",\"122\","
         "\"12345\",\"95598\"]}", false, "phones"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"tags\":[\"a;b\"]}", false, "tags"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"tags\":[\"\"]}", false, "tags"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"street\":\"\"}", false, "street"},
        {"{\"account_number\":\"A1\",\"name\":\"x\",\"owner\":\"li\"}", false, "owner"},
        {"{\"account_number\":\"A2\"}", true, "account_number"},
        {"{\"name\":\"a\\u0001b\"}", true, "name"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *j = json_loads(rows[i].body, 0, NULL);
        assert_non_null(j);
        struct customer_input in;
        struct verrors e = {0};
        assert_false(customer_from_json(j, "86", rows[i].patch, &in, &e));
        if (!has_error(&e, rows[i].field))
            fail_msg("row %zu (%s): no error for \"%s\"", i, rows[i].body, rows[i].field);
        json_decref(j);
    }
}

static void test_good_json(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"account_number\":\"GAS-0001\",\"name\":\"张三\",\"phones\":["
                           "\"138-0013-8000\",\"+86 13800138000\",\"010 6552 9988\"],"
                           "\"address\":\"5 Jianshe Road\",\"area_code\":\"A12\",\"tags\":"
                           "[\"elderly\",\"elderly\"]}", 0, NULL);
    struct customer_input in;
    struct verrors e = {0};
    assert_true(customer_from_json(j, "86", false, &in, &e));
    assert_int_equal(in.nphones, 2); /* the same number twice counts once */
    assert_string_equal(in.phones_norm[0], "8613800138000");
    assert_string_equal(in.phones_norm[1], "861065529988");
    assert_int_equal(in.ntags, 1);
    assert_null(in.street);
    assert_false(in.has[5]);
    json_decref(j);
    j = json_loads("{\"street\":null,\"phones\":[]}", 0, NULL);
    assert_true(customer_from_json(j, "86", true, &in, &e));
    assert_true(in.has[CC_STREET] && in.has[CC_PHONES] && !in.has[CC_NAME]);
    assert_int_equal(in.nphones, 0);
    json_decref(j);
}

/* Split a CSV-ish line on ',' into writable cells (no quoting: the reader is tested apart). */
static int cells(char *line, char **f, size_t *lens)
{
    int n = 0;
    for (char *p = line;; p++) {
        f[n] = p;
        p += strcspn(p, ",");
        lens[n] = (size_t)(p - f[n]);
        n++;
        if (!*p)
            return n;
        *p = '\0';
    }
}

static void test_csv_rows(void **state)
{
    (void)state;
    char header[] = "account_number,name,phones,area_code,tags";
    char *f[16];
    size_t lens[16];
    int colmap[16];
    int nh = cells(header, f, lens);
    struct verrors e = {0};
    assert_true(customer_csv_header(f, lens, nh, colmap, &e));
    static const struct {
        const char *row;
        const char *field; /* NULL: valid */
    } rows[] = {
        {",x,,,", "account_number"},
        {"A1,,,,", "name"},
        {"A1,x,12ab,,", "phones"},
        {"A1,x,138;12ab,,", "phones"},
        {"A1,x,,,a\tb", "tags"},
        {"A1,x,,", ""},
        {"A1,x,,,,", ""},
        {"A1,\xff,,,", "name"},
        {"A1,\xe4\xb8,,,", "name"},
        {"A1, 张三 ,138 0013 8000; 13900139000 ,A12,vip;elderly", NULL},
        {"A2,x,,,", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s", rows[i].row);
        int n = cells(line, f, lens);
        struct customer_input in;
        struct verrors re = {0};
        bool ok = customer_from_csv(f, lens, n, colmap, nh, "86", &in, &re);
        if (rows[i].field ? ok || !has_error(&re, rows[i].field) : !ok)
            fail_msg("row %zu (%s): ok %d, first error %s", i, rows[i].row, ok,
                     re.n ? re.e[0].field : "-");
        if (i == 9) {
            assert_string_equal(in.name, "张三");
            assert_int_equal(in.nphones, 2);
            assert_string_equal(in.phones_norm[1], "8613900139000");
            assert_int_equal(in.ntags, 2);
            assert_string_equal(in.area_code, "A12");
            assert_null(in.address);
        }
    }
    static const char *const bad_headers[] = {"account_number,name,color", "name,phones",
                                              "account_number,account_number,name", NULL};
    for (int i = 0; bad_headers[i]; i++) {
        char line[128];
        snprintf(line, sizeof line, "%s", bad_headers[i]);
        int n = cells(line, f, lens);
        struct verrors he = {0};
        assert_false(customer_csv_header(f, lens, n, colmap, &he));
    }
}

static void test_results(void **state)
{
    (void)state;
    const struct notify_policy p = {.retry_minutes = 10, .max_attempts = 3, .claim_minutes = 5};
    static const struct {
        int before;
        enum notify_result r;
        enum notify_status want;
        bool final;
    } rows[] = {
        {0, NR_NO_ANSWER, NS_PENDING, false},
        {1, NR_NO_ANSWER, NS_PENDING, false},
        {2, NR_NO_ANSWER, NS_NOT_REACHED, true}, /* the third call was the last */
        {0, NR_REACHED, NS_REACHED, true},
        {2, NR_REACHED, NS_REACHED, true},
        {0, NR_WRONG_NUMBER, NS_WRONG_NUMBER, true},
        {0, NR_DECLINED, NS_DECLINED, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct notify_outcome o;
        notify_apply_result(rows[i].before, rows[i].r, HL_MIN(100), &p, &o);
        assert_int_equal(o.status, rows[i].want);
        assert_int_equal(o.final, rows[i].final);
        assert_int_equal(o.attempts, rows[i].before + 1);
        if (!o.final)
            assert_true(o.has_available_at && o.available_at == HL_MIN(110));
        assert_int_equal(notify_status_final(o.status), o.final);
    }
}

static void test_results_from_calls(void **state)
{
    (void)state;
    static const struct {
        struct notify_call call;
        bool has_result;
        enum notify_result given;
        enum notify_call_verdict want;
        enum notify_result result;
    } rows[] = {
        /* refused first */
        {{true, false, true, true}, true, NR_REACHED, NC_NOT_LISTED, NR_REACHED},
        {{true, false, true, true}, false, NR_REACHED, NC_NOT_LISTED, NR_REACHED},
        {{false, false, false, false}, false, NR_REACHED, NC_UNKNOWN, NR_REACHED},
        {{true, true, false, false}, false, NR_REACHED, NC_NOT_ENDED, NR_REACHED},
        /* taken from the call */
        {{true, true, true, false}, false, NR_DECLINED, NC_OK, NR_REACHED},
        {{true, true, true, true}, false, NR_DECLINED, NC_OK, NR_REACHED},
        {{true, true, false, true}, false, NR_REACHED, NC_OK, NR_NO_ANSWER},
        /* given, and consistent or unknown to the phone system */
        {{true, true, true, true}, true, NR_DECLINED, NC_OK, NR_DECLINED},
        {{false, false, false, false}, true, NR_WRONG_NUMBER, NC_OK, NR_WRONG_NUMBER},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        enum notify_result r = rows[i].given;
        enum notify_call_verdict v = notify_result_from_call(&rows[i].call, rows[i].has_result, &r);
        if (v != rows[i].want || (v == NC_OK && r != rows[i].result))
            fail_msg("row %zu: verdict %d result %d", i, v, r);
    }
}

static void test_selections(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        const char *field; /* NULL: valid */
    } rows[] = {
        {"{}", ""},
        {"[]", ""},
        {"{\"round\":\"alert\"}", ""},
        {"{\"round\":\"later\",\"areas\":[\"A1\"]}", "round"},
        {"{\"areas\":[]}", "areas"},
        {"{\"areas\":\"A1\"}", "areas"},
        {"{\"areas\":[7]}", "areas"},
        {"{\"streets\":[\"\"]}", "streets"},
        {"{\"address_prefix\":\"\"}", "address_prefix"},
        {"{\"customer_ids\":[0]}", "customer_ids"},
        {"{\"customer_ids\":[\"1\"]}", "customer_ids"},
        {"{\"alert_list\":true}", "alert_list"},
        {"{\"alert_list\":\"yes\",\"round\":\"all_clear\"}", "alert_list"},
        {"{\"areas\":[\"A1\"],\"everyone\":true}", "everyone"},
        {"{\"areas\":[\"A1\",\"A2\"],\"streets\":[\"Jianshe Road\"]}", NULL},
        {"{\"address_prefix\":\"5 Jianshe\",\"customer_ids\":[3,4]}", NULL},
        {"{\"round\":\"all_clear\",\"alert_list\":true}", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *j = json_loads(rows[i].body, 0, NULL);
        assert_non_null(j);
        struct selection s;
        struct verrors e = {0};
        bool ok = selection_from_json(j, ROUND_ALERT, &s, &e);
        if (rows[i].field ? ok || !has_error(&e, rows[i].field) : !ok)
            fail_msg("row %zu (%s): ok %d, first error %s", i, rows[i].body, ok,
                     e.n ? e.e[0].field : "-");
        if (ok && i == 15) {
            assert_int_equal(s.nids, 2);
            assert_int_equal(s.ids[1], 4);
        }
        selection_cleanup(&s);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_good_json),
        cmocka_unit_test(test_csv_rows),
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_results_from_calls),
        cmocka_unit_test(test_selections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
