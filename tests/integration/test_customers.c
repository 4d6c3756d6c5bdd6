/**
 * @file test_customers.c
 * @brief The customer directory: records with If-Match, searches with keyset pages, the
 *        streamed bulk import (10,000 CSV rows with 3 bad ones, then the same file again),
 *        refusals that import nothing, confidentiality (roles, audit, masked logs).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS 10000

static struct hs srv;
static const char *agent, *supervisor, *ops, *cti;
static const char *env[] = {"HOTLINE_IMPORT_MAX_ROWS=10000", "HOTLINE_IMPORT_MAX_BODY=4194304",
                            NULL};

static int setup(void **state)
{
    (void)state;
    hs_start_at(&srv, "customers", env, "2026-11-26T10:00:00+08:00");
    agent = h_token("agent", "li");
    supervisor = h_token("supervisor", "zhou");
    ops = h_token("operations", "dispatch");
    cti = h_token("cti", "pbx");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static struct h_resp *import(const char *token, const char *type, const char *body)
{
    char ct[80];
    snprintf(ct, sizeof ct, "Content-Type: %s", type);
    return h_req(&srv, "POST", "/customers/import", token, body,
                 (const char *const[]){ct, NULL});
}

static long long customers(void)
{
    return h_db_long("SELECT count(*) * 1000000 + coalesce(sum(version), 0) FROM customers");
}

static void test_records_and_searches(void **state)
{
    (void)state;
    struct h_resp *r = h_req(&srv, "POST", "/customers", agent,
                             "{\"account_number\":\"GAS-7\",\"name\":\"赵六\",\"phones\":[\"138 "
                             "0013 8007\",\"010-6552-9988\"],\"address\":\"7 Heping Street\","
                             "\"area_code\":\"B3\",\"street\":\"Heping Street\",\"tags\":"
                             "[\"elderly\"]}",
                             NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(r->json, "phones_normalized"), 1)),
                        "861065529988");
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    h_free(r);
    long long c0 = customers();
    r = h_req(&srv, "POST", "/customers", agent, "{\"account_number\":\"GAS-7\",\"name\":\"x\"}",
              NULL);
    h_expect_problem(r, 409);
    h_free(r);
    static const char *const bad[] = {"{\"name\":\"x\"}", "{\"account_number\":\"G\",\"name\":\"x\","
                                      "\"phones\":[\"abc\"]}",
                                      "{\"account_number\":\"G\",\"name\":\"x\",\"vip\":true}",
                                      NULL};
    for (int i = 0; bad[i]; i++) {
        r = h_req(&srv, "POST", "/customers", agent, bad[i], NULL);
        h_expect_problem(r, 400);
        h_free(r);
    }
    /* a stale If-Match writes nothing */
    char path[64];
    snprintf(path, sizeof path, "/customers/%lld", id);
    r = h_req(&srv, "PATCH", path, agent, "{\"street\":null}",
              (const char *const[]){"If-Match: \"7\"", NULL});
    h_expect_problem(r, 412);
    h_free(r);
    r = h_req(&srv, "PATCH", path, agent, "{\"account_number\":\"GAS-8\"}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    assert_int_equal(customers(), c0);
    r = h_req(&srv, "PATCH", path, agent, "{\"phones\":[\"13800138007\"],\"street\":null}",
              (const char *const[]){"If-Match: \"1\"", NULL});
    h_expect(r, 200);
    assert_int_equal(h_int(r->json, "version"), 2);
    assert_true(json_is_null(json_object_get(r->json, "street")));
    h_free(r);
    /* a patch that changes nothing keeps the version */
    r = h_req(&srv, "PATCH", path, agent, "{\"phones\":[\"+86 138-0013-8007\"]}", NULL);
    h_expect(r, 200);
    assert_int_equal(h_int(r->json, "version"), 3); /* the number as given differs */
    h_free(r);
    r = h_req(&srv, "PATCH", path, agent, "{\"phones\":[\"+86 138-0013-8007\"]}", NULL);
    assert_int_equal(h_int(r->json, "version"), 3);
    h_free(r);
    /* found by any spelling of a number, by account number, by part of the name */
    const char *finds[] = {"phone=%2B8613800138007", "q=GAS-7", "q=%E8%B5%B5", "area=B3&tag=elderly"};
    for (int i = 0; i < 4; i++) {
        r = h_get(&srv, agent, "/customers?%s", finds[i]);
        h_expect(r, 200);
        assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
        h_free(r);
    }
    r = h_get(&srv, agent, "/customers?phone=abc");
    h_expect_problem(r, 400);
    h_free(r);
    r = h_get(&srv, agent, "/customers?owner=li");
    h_expect_problem(r, 400);
    h_free(r);
}

/* A good row i of a file's version v: most have a phone, some tags. */
static int good_row(char *out, size_t n, int i, int v)
{
    char phone[32] = "";
    if (i % 4)
        snprintf(phone, sizeof phone, "139 %08d", i);
    return snprintf(out, n, "ACC-%06d,\"客户 %d, v%d\",%s,\"%d Jianshe Road\",Z%d,Jianshe Road,%s\r\n",
                    i, i, v, phone, i, i % 10, i % 11 ? "" : "vip;elderly");
}

/* The k-th kind of bad row: a bad phone, no account number, broken quoting. */
static int bad_row(char *out, size_t n, int i, int k)
{
    static const char *const fmt[] = {"ACC-%06d,Name,not-a-phone,,Z1,,\r\n",
                                      ",Nobody %d,,,,,\r\n", "ACC-%06d,\"Unclosed\"x,,,,,\r\n"};
    return snprintf(out, n, fmt[k % 3], i);
}

/* A CSV file of rows data rows (file version v); bad[k] is the data row of the k-th bad one. */
static char *csv_file(int rows, int v, const int *bad, int nbad)
{
    size_t cap = (size_t)rows * 128 + 128, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s, cap, "account_number,name,phones,address,area_code,street,tags\r\n");
    for (int i = 1; i <= rows; i++) {
        int k = -1;
        for (int j = 0; j < nbad; j++)
            if (bad[j] == i)
                k = j;
        len += (size_t)(k >= 0 ? bad_row(s + len, cap - len, i, k)
                               : good_row(s + len, cap - len, i, v));
    }
    return s;
}

static void expect_counts(const struct h_resp *r, long rows, long ins, long upd, long same,
                          long rej)
{
    h_expect(r, 200);
    if (h_int(r->json, "rows") != rows || h_int(r->json, "inserted") != ins ||
        h_int(r->json, "updated") != upd || h_int(r->json, "unchanged") != same ||
        h_int(r->json, "rejected") != rej)
        fail_msg("import counts: %.400s", r->body);
}

static void test_import_ten_thousand(void **state)
{
    (void)state;
    const int bad[] = {17, 5000, 9999};
    char *file = csv_file(ROWS, 1, bad, 3);
    long long before = h_db_long("SELECT count(*) FROM customers");
    double t0 = h_now();
    struct h_resp *r = import(supervisor, "text/csv", file);
    double took = h_now() - t0;
    expect_counts(r, ROWS, ROWS - 3, 0, 0, 3);
    json_t *errors = json_object_get(r->json, "errors");
    assert_int_equal(json_array_size(errors), 3);
    static const char *const fields[] = {"phones", "account_number", ""};
    for (int k = 0; k < 3; k++) {
        json_t *e = json_array_get(errors, (size_t)k);
        assert_int_equal(h_int(e, "line"), bad[k] + 1); /* the header is line 1 */
        assert_string_equal(h_str(e, "field"), fields[k]);
    }
    assert_false(json_is_true(json_object_get(r->json, "errors_truncated")));
    h_free(r);
    printf("  imported %d rows in %.2f s\n", ROWS, took);
    assert_int_equal(h_db_long("SELECT count(*) FROM customers"), before + ROWS - 3);
    assert_int_equal(h_db_long("SELECT count(*) FROM customers WHERE account_number LIKE 'ACC-%' "
                               "AND cardinality(phones_norm) = 1"),
                     ROWS - ROWS / 4 - 2);
    assert_int_equal(h_db_long("SELECT count(*) FROM customers WHERE phones_norm = "
                               "'{8613900000013}' AND name = '客户 13, v1' AND "
                               "address = '13 Jianshe Road' AND area_code = 'Z3'"),
                     1);
    assert_int_equal(h_db_long("SELECT count(*) FROM customers WHERE tags = '{vip,elderly}'"),
                     ROWS / 11 - 1); /* every 11th, but row 9999 is a bad one */
    /* the same file again changes nothing */
    long long c0 = customers();
    r = import(supervisor, "text/csv", file);
    expect_counts(r, ROWS, 0, 0, ROWS - 3, 3);
    h_free(r);
    assert_int_equal(customers(), c0);
    free(file);
    /* a newer file: two rows changed, a bad row fixed (a new account), the rest the same */
    file = csv_file(ROWS, 1, bad, 2);
    char *p = strstr(file, "客户 20, v1");
    p[strlen("客户 20, v")] = '2';
    p = strstr(file, "客户 21, v1");
    p[strlen("客户 21, v")] = '2';
    r = import(supervisor, "text/csv", file);
    expect_counts(r, ROWS, 1, 2, ROWS - 5, 2);
    h_free(r);
    free(file);
    assert_int_equal(h_db_long("SELECT count(*) FROM customers WHERE version = 2 AND "
                               "name LIKE '%v2'"),
                     2);
    /* every import is in the audit history */
    assert_int_equal(h_db_long("SELECT count(*) FROM audit_log WHERE action = 'customers.import' "
                               "AND actor = 'zhou' AND (detail->>'rejected')::int >= 2"),
                     3);
}

static void test_ndjson_and_duplicates(void **state)
{
    (void)state;
    const char *body =
        "{\"account_number\":\"ND-1\",\"name\":\"甲\",\"phones\":[\"13700000001\"],"
        "\"area_code\":\"N1\"}\n"
        "\n"
        "{\"account_number\":\"ND-2\",\"name\":\"乙\",\"phones\":[\"12ab\"]}\n"
        "{\"account_number\":\"ND-1\",\"name\":\"甲 again\"}\r\n"
        "not json\n"
        "{\"account_number\":\"ND-3\",\"name\":\"丙\",\"tags\":[\"vip\"],\"street\":\"North\"}";
    struct h_resp *r = import(supervisor, "application/x-ndjson", body);
    expect_counts(r, 5, 2, 0, 0, 3);
    json_t *errors = json_object_get(r->json, "errors");
    long want_lines[] = {3, 4, 5};
    const char *want_fields[] = {"phones", "account_number", ""};
    assert_int_equal(json_array_size(errors), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(h_int(json_array_get(errors, i), "line"), want_lines[i]);
        assert_string_equal(h_str(json_array_get(errors, i), "field"), want_fields[i]);
    }
    h_free(r);
    assert_int_equal(h_db_long("SELECT count(*) FROM customers WHERE account_number = 'ND-1' "
                               "AND name = '甲'"),
                     1);
}

static void test_refusals_import_nothing(void **state)
{
    (void)state;
    long long c0 = customers();
    long long audits = h_db_long("SELECT count(*) FROM audit_log");
    struct h_resp *r = import(supervisor, "text/csv", "account,name\nA1,x\n");
    h_expect_problem(r, 400);
    assert_string_equal(h_str(json_array_get(json_object_get(r->json, "errors"), 0), "field"),
                        "header column 1");
    h_free(r);
    r = import(supervisor, "text/csv", "name,phones\nx,138\n");
    h_expect_problem(r, 400);
    h_free(r);
    r = import(supervisor, "text/csv", "");
    h_expect_problem(r, 400);
    h_free(r);
    r = import(supervisor, "text/csv", "account_number,name\n");
    h_expect_problem(r, 400);
    h_free(r);
    r = import(supervisor, "application/json", "[{\"account_number\":\"J1\",\"name\":\"x\"}]");
    h_expect_problem(r, 415);
    h_free(r);
    r = import(agent, "text/csv", "account_number,name\nA1,x\n");
    h_expect_problem(r, 403);
    h_free(r);
    r = import(cti, "text/csv", "account_number,name\nA1,x\n");
    h_expect_problem(r, 403);
    h_free(r);
    r = import(NULL, "text/csv", "account_number,name\nA1,x\n");
    h_expect_problem(r, 401);
    h_free(r);
    /* more rows than one import may hold: nothing at all */
    char *file = csv_file(ROWS + 1, 9, NULL, 0);
    r = import(supervisor, "text/csv", file);
    h_expect_problem(r, 413);
    h_free(r);
    free(file);
    /* a body over the import's own limit */
    size_t big = 4194304 + 10;
    char *huge = malloc(big + 1);
    memset(huge, 'x', big);
    memcpy(huge, "account_number,name\n", 20);
    huge[big] = '\0';
    r = import(supervisor, "text/csv", huge);
    h_expect_problem(r, 413);
    h_free(r);
    free(huge);
    assert_int_equal(customers(), c0);
    assert_int_equal(h_db_long("SELECT count(*) FROM audit_log"), audits);
    /* the other routes keep HOTLINE_MAX_BODY */
    char *json = malloc(100000);
    snprintf(json, 100000, "{\"account_number\":\"X\",\"name\":\"%0*d\"}", 99000, 0);
    r = h_req(&srv, "POST", "/customers", agent, json, NULL);
    h_expect_problem(r, 413);
    h_free(r);
    free(json);
}

static void test_confidential(void **state)
{
    (void)state;
    long long reads = h_db_long("SELECT count(*) FROM audit_log WHERE action LIKE 'customers.%' "
                                "AND action <> 'customers.import'");
    const char *paths[] = {"/customers", "/customers?area=Z1", "/customers/1"};
    for (int i = 0; i < 3; i++) {
        struct h_resp *r = h_get(&srv, cti, "%s", paths[i]);
        h_expect_problem(r, 403);
        h_free(r);
        r = h_get(&srv, ops, "%s", paths[i]);
        h_expect_problem(r, 403);
        h_free(r);
    }
    struct h_resp *r = h_req(&srv, "POST", "/customers", cti,
                             "{\"account_number\":\"C1\",\"name\":\"x\"}", NULL);
    h_expect_problem(r, 403);
    h_free(r);
    assert_int_equal(h_db_long("SELECT count(*) FROM audit_log WHERE action LIKE 'customers.%' "
                               "AND action <> 'customers.import'"),
                     reads);
    /* every read by a role that may is written down: who, when, what */
    r = h_get(&srv, agent, "/customers?area=Z1&limit=5");
    h_expect(r, 200);
    const char *cursor = h_str(r->json, "next_cursor");
    char next[128];
    snprintf(next, sizeof next, "/customers?area=Z1&limit=5&cursor=%s", cursor);
    long long last = h_int(json_array_get(json_object_get(r->json, "items"), 4), "id");
    h_free(r);
    r = h_get(&srv, agent, "%s", next);
    h_expect(r, 200);
    assert_true(h_int(json_array_get(json_object_get(r->json, "items"), 0), "id") < last);
    h_free(r);
    assert_int_equal(h_db_long("SELECT count(*) FROM audit_log WHERE action = 'customers.list' "
                               "AND actor = 'li' AND role = 'agent' AND detail->>'area' = 'Z1' "
                               "AND (detail->>'returned')::int = 5"),
                     2);
    /* names and phone numbers never reach the log */
    hs_stop(&srv);
    char *log = h_read_file(srv.log_path);
    assert_non_null(log);
    assert_null(strstr(log, "13900000013"));
    assert_null(strstr(log, "客户"));
    assert_null(strstr(log, "赵六"));
    assert_null(strstr(log, "Jianshe"));
    free(log);
    hs_start(&srv, "customers-2", env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_and_searches),
        cmocka_unit_test(test_import_ten_thousand),
        cmocka_unit_test(test_ndjson_and_duplicates),
        cmocka_unit_test(test_refusals_import_nothing),
        cmocka_unit_test(test_confidential),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
