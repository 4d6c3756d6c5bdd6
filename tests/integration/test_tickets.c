/**
 * @file test_tickets.c
 * @brief Tickets over real HTTP and a real database: create, read, patch, list, history,
 *        idempotent retries, ETag/If-Match, and every error answered as problem+json.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs srv;
static const char *agent, *agent2, *supervisor, *cti, *admin;

static int setup(void **state)
{
    (void)state;
    hs_start(&srv, "tickets", NULL);
    agent = h_token("agent", "li");
    agent2 = h_token("agent", "wang");
    supervisor = h_token("supervisor", "zhao");
    cti = h_token("cti", "pbx1");
    admin = h_token("admin", "ops");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static long long create(const char *token, const char *body)
{
    struct h_resp *r = h_req(&srv, "POST", "/tickets", token, body, NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    return id;
}

static void test_health_is_open(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&srv, NULL, "/healthz");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "status"), "ok");
    h_free(r);
    r = h_get(&srv, NULL, "/readyz");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "status"), "ready");
    h_free(r);
}

static void test_create_and_get(void **state)
{
    (void)state;
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent,
                             "{\"class\":\"general\",\"subject\":\"Where is my order?\","
                             "\"details\":\"Ordered on Monday\",\"caller_name\":\"张三\","
                             "\"caller_phone\":\"+86 138-0013-8000\"}",
                             NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    char loc[64];
    snprintf(loc, sizeof loc, "/tickets/%lld", id);
    assert_string_equal(h_header(r, "Location"), loc);
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    assert_string_equal(h_str(r->json, "status"), "new");
    assert_string_equal(h_str(r->json, "kind"), "inquiry");
    assert_string_equal(h_str(r->json, "owner"), "li");
    assert_string_equal(h_str(r->json, "caller_phone_normalized"), "8613800138000");
    assert_non_null(strstr(h_str(r->json, "created_at"), "+08:00"));
    h_free(r);

    r = h_get(&srv, agent, "/tickets/%lld", id);
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "subject"), "Where is my order?");
    assert_string_equal(h_str(r->json, "caller_name"), "张三");
    assert_int_equal(h_int(r->json, "version"), 1);
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    h_free(r);

    /* the history holds the creation, by whom */
    r = h_get(&srv, agent, "/tickets/%lld/events", id);
    h_expect(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(h_str(json_array_get(items, 0), "kind"), "created");
    assert_string_equal(h_str(json_array_get(items, 0), "actor"), "li");
    h_free(r);
}

static void test_validation_names_fields(void **state)
{
    (void)state;
    long long before = h_db_long("SELECT count(*) FROM tickets");
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent,
                             "{\"class\":\"urgent\",\"caller_phone\":\"call me maybe\","
                             "\"colour\":\"red\"}",
                             NULL);
    h_expect_problem(r, 400);
    json_t *errs = json_object_get(r->json, "errors");
    assert_true(json_array_size(errs) >= 4);
    const char *want[] = {"class", "caller_phone", "colour", "subject"};
    for (size_t w = 0; w < 4; w++) {
        bool found = false;
        for (size_t i = 0; i < json_array_size(errs); i++)
            found |= strcmp(h_str(json_array_get(errs, i), "field"), want[w]) == 0;
        if (!found)
            fail_msg("no error for field %s in %s", want[w], r->body);
    }
    h_free(r);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets"), before);
}

static void test_body_errors(void **state)
{
    (void)state;
    long long before = h_db_long("SELECT count(*) FROM tickets");
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent, "{\"class\": \"general\",", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "POST", "/tickets", agent, "{\"a\":1,\"a\":2}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "POST", "/tickets", agent, "[1,2,3]", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    r = h_req(&srv, "POST", "/tickets", agent, "<ticket/>", xml);
    h_expect_problem(r, 415);
    h_free(r);
    size_t big = 70 * 1024;
    char *huge = malloc(big + 64);
    strcpy(huge, "{\"class\":\"general\",\"subject\":\"");
    memset(huge + strlen(huge), 'x', big);
    strcpy(huge + 31 + big, "\"}");
    r = h_req(&srv, "POST", "/tickets", agent, huge, NULL);
    h_expect_problem(r, 413);
    h_free(r);
    free(huge);
    r = h_req(&srv, "POST", "/tickets", agent, "", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets"), before);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&srv, agent, "/tickets/999999");
    h_expect_problem(r, 404);
    h_free(r);
    r = h_get(&srv, agent, "/tickets/abc");
    h_expect_problem(r, 404);
    h_free(r);
    r = h_get(&srv, agent, "/nothing-here");
    h_expect_problem(r, 404);
    h_free(r);
    r = h_req(&srv, "DELETE", "/tickets/1", agent, NULL, NULL);
    h_expect_problem(r, 405);
    const char *allow = h_header(r, "Allow");
    assert_non_null(allow);
    assert_non_null(strstr(allow, "GET"));
    assert_non_null(strstr(allow, "PATCH"));
    h_free(r);
}

static void test_auth(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&srv, NULL, "/tickets");
    h_expect_problem(r, 401);
    assert_non_null(h_header(r, "WWW-Authenticate"));
    h_free(r);
    r = h_get(&srv, "hl_not-a-real-token-at-all", "/tickets");
    h_expect_problem(r, 401);
    h_free(r);
    const char *basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
    r = h_req(&srv, "GET", "/tickets", NULL, NULL, basic);
    h_expect_problem(r, 401);
    h_free(r);
    /* a phone system may register tickets but not read the list of customers' tickets */
    r = h_get(&srv, cti, "/tickets");
    h_expect_problem(r, 403);
    h_free(r);
    /* an agent registers as themself; naming another owner is a supervisor's call */
    r = h_req(&srv, "POST", "/tickets", agent,
              "{\"class\":\"general\",\"subject\":\"x\",\"owner\":\"wang\"}", NULL);
    h_expect_problem(r, 403);
    h_free(r);
    r = h_req(&srv, "POST", "/tickets", supervisor,
              "{\"class\":\"general\",\"subject\":\"x\",\"owner\":\"wang\"}", NULL);
    h_expect(r, 201);
    assert_string_equal(h_str(r->json, "owner"), "wang");
    assert_string_equal(h_str(r->json, "created_by"), "zhao");
    h_free(r);
}

static void test_revocation_is_immediate(void **state)
{
    (void)state;
    const char *t = h_token("agent", "temp-agent");
    struct h_resp *r = h_get(&srv, t, "/tickets?limit=1");
    h_expect(r, 200);
    h_free(r);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "HOTLINE_DATABASE_URL='%s' '%s' token revoke temp-agent >/dev/null",
             getenv("HOTLINE_TEST_DB"), getenv("HOTLINE_TEST_BIN"));
    assert_int_equal(system(cmd), 0);
    r = h_get(&srv, t, "/tickets?limit=1");
    h_expect_problem(r, 401);
    h_free(r);
    /* only the hash is stored */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM api_tokens WHERE token_hash = '%s'", t);
    assert_int_equal(h_db_long(sql), 0);
}

static void test_idempotent_retry(void **state)
{
    (void)state;
    const char *key[] = {"Idempotency-Key: retry-me-1", NULL};
    const char *body = "{\"class\":\"hard\",\"subject\":\"Billing question\"}";
    long long before = h_db_long("SELECT count(*) FROM tickets");
    struct h_resp *a = h_req(&srv, "POST", "/tickets", cti, body, key);
    h_expect(a, 201);
    struct h_resp *b = h_req(&srv, "POST", "/tickets", cti, body, key);
    h_expect(b, 201);
    assert_int_equal(h_int(a->json, "id"), h_int(b->json, "id"));
    assert_string_equal(h_header(b, "Idempotent-Replayed"), "true");
    assert_non_null(h_header(b, "Location"));
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets"), before + 1);
    h_free(a);
    h_free(b);
    /* the same key with another body is refused and changes nothing */
    struct h_resp *c = h_req(&srv, "POST", "/tickets", cti,
                             "{\"class\":\"hard\",\"subject\":\"Another question\"}", key);
    h_expect_problem(c, 409);
    h_free(c);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets"), before + 1);
    /* keys belong to their caller: another token may use the same key */
    struct h_resp *d = h_req(&srv, "POST", "/tickets", agent, body, key);
    h_expect(d, 201);
    h_free(d);
    assert_int_equal(h_db_long("SELECT count(*) FROM tickets"), before + 2);
}

static void test_patch_with_if_match(void **state)
{
    (void)state;
    long long id = create(agent, "{\"class\":\"general\",\"subject\":\"Delivery late\"}");
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld", id);
    const char *v1[] = {"If-Match: \"1\"", NULL};
    struct h_resp *r = h_req(&srv, "PATCH", path, agent,
                             "{\"subject\":\"Delivery late (order 42)\",\"department\":\"logistics\"}",
                             v1);
    h_expect(r, 200);
    assert_int_equal(h_int(r->json, "version"), 2);
    assert_string_equal(h_header(r, "ETag"), "\"2\"");
    assert_string_equal(h_str(r->json, "department"), "logistics");
    h_free(r);
    /* a second writer still holding version 1 loses: 412, nothing written */
    r = h_req(&srv, "PATCH", path, agent2, "{\"subject\":\"Overwritten\"}", v1);
    h_expect_problem(r, 412);
    h_free(r);
    r = h_get(&srv, agent, "%s", path);
    assert_string_equal(h_str(r->json, "subject"), "Delivery late (order 42)");
    h_free(r);
    /* the change is history: who, before and after */
    r = h_get(&srv, agent, "%s/events", path);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *ev = json_array_get(items, 1);
    assert_string_equal(h_str(ev, "kind"), "updated");
    assert_string_equal(h_str(ev, "actor"), "li");
    assert_string_equal(h_str(json_object_get(ev, "before"), "subject"), "Delivery late");
    assert_string_equal(h_str(json_object_get(ev, "after"), "subject"), "Delivery late (order 42)");
    h_free(r);
    /* the history a page at a time: one event, a cursor, the second, then no more */
    r = h_get(&srv, agent, "%s/events?limit=1", path);
    h_expect(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    char next[128];
    snprintf(next, sizeof next, "%s", h_str(r->json, "next_cursor"));
    h_free(r);
    r = h_get(&srv, agent, "%s/events?limit=1&cursor=%s", path, next);
    h_expect(r, 200);
    items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(h_str(json_array_get(items, 0), "kind"), "updated");
    assert_true(json_is_null(json_object_get(r->json, "next_cursor")));
    h_free(r);
    /* an unknown ticket has no history: 404, not an empty page */
    r = h_get(&srv, agent, "/tickets/987654321/events");
    h_expect_problem(r, 404);
    h_free(r);
    /* bad patches */
    r = h_req(&srv, "PATCH", path, agent, "{\"status\":\"closed\"}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "PATCH", path, agent, "{}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "PATCH", path, agent, "{\"subject\":\"\"}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "PATCH", "/tickets/999999", agent, "{\"subject\":\"x\"}", NULL);
    h_expect_problem(r, 404);
    h_free(r);
    /* a patch that changes nothing keeps the version */
    r = h_req(&srv, "PATCH", path, agent, "{\"department\":\"logistics\"}", NULL);
    h_expect(r, 200);
    assert_int_equal(h_int(r->json, "version"), 2);
    h_free(r);
}

static void test_list_pages_and_filters(void **state)
{
    (void)state;
    long long ids[7];
    for (int i = 0; i < 7; i++)
        ids[i] = create(agent2, "{\"class\":\"special\",\"kind\":\"suggestion\","
                                "\"subject\":\"page me\",\"caller_phone\":\"010-6512-3456\"}");
    /* walk all pages of this owner's tickets, 3 at a time */
    long long seen[16];
    int n = 0, pages = 0;
    char path[512] = "/tickets?owner=wang&class=special&limit=3";
    for (;;) {
        struct h_resp *r = h_get(&srv, agent, "%s", path);
        h_expect(r, 200);
        json_t *items = json_object_get(r->json, "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            assert_true(n < 16);
            seen[n++] = h_int(json_array_get(items, i), "id");
        }
        pages++;
        json_t *next = json_object_get(r->json, "next_cursor");
        if (json_is_null(next)) {
            h_free(r);
            break;
        }
        snprintf(path, sizeof path, "/tickets?owner=wang&class=special&limit=3&cursor=%s",
                 json_string_value(next));
        h_free(r);
    }
    assert_int_equal(n, 7);
    assert_int_equal(pages, 3);
    for (int i = 0; i < 7; i++)
        assert_int_equal(seen[i], ids[6 - i]); /* newest first, none twice, none missed */

    /* the same caller found by another spelling of the number */
    struct h_resp *r = h_get(&srv, agent, "/tickets?phone=%%2B86%%2010%%206512%%203456&limit=200");
    h_expect(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 7);
    h_free(r);
    r = h_get(&srv, agent, "/tickets?status=new&kind=suggestion&limit=200");
    h_expect(r, 200);
    assert_true(json_array_size(json_object_get(r->json, "items")) >= 7);
    h_free(r);
    r = h_get(&srv, agent, "/tickets?created_from=2000-01-01T00:00:00Z&created_to=2001-01-01T00:00:00Z");
    h_expect(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    h_free(r);
}

static void test_list_bad_parameters(void **state)
{
    (void)state;
    const char *bad[] = {
        "/tickets?limit=0",          "/tickets?limit=201",         "/tickets?limit=-5",
        "/tickets?limit=ten",        "/tickets?status=lost",       "/tickets?cursor=bogus",
        "/tickets?cursor=YzE6MTAA",  "/tickets?created_from=yesterday",
        "/tickets?sort=name",        "/tickets?status=new&status=closed",
        "/tickets?phone=abc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct h_resp *r = h_get(&srv, agent, "%s", bad[i]);
        if (r->status != 400)
            fail_msg("%s answered %ld: %s", bad[i], r->status, r->body);
        h_expect_problem(r, 400);
        h_free(r);
    }
}

static void test_request_id_is_echoed(void **state)
{
    (void)state;
    const char *rid[] = {"X-Request-Id: desk-42.abc", NULL};
    struct h_resp *r = h_req(&srv, "GET", "/healthz", NULL, NULL, rid);
    assert_string_equal(h_header(r, "X-Request-Id"), "desk-42.abc");
    h_free(r);
    r = h_get(&srv, NULL, "/healthz");
    assert_non_null(h_header(r, "X-Request-Id"));
    h_free(r);
}

static void test_logs_mask_customer_data(void **state)
{
    (void)state;
    char *log = h_read_file(srv.log_path);
    assert_non_null(log);
    assert_non_null(strstr(log, "\"msg\":\"request\""));
    const char *secrets[] = {"13800138000", "138-0013-8000", "65123456", "6512-3456", "张三",
                             agent, supervisor};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(log, secrets[i]))
            fail_msg("the log contains %s", secrets[i]);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_is_open),
        cmocka_unit_test(test_create_and_get),
        cmocka_unit_test(test_validation_names_fields),
        cmocka_unit_test(test_body_errors),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_revocation_is_immediate),
        cmocka_unit_test(test_idempotent_retry),
        cmocka_unit_test(test_patch_with_if_match),
        cmocka_unit_test(test_list_pages_and_filters),
        cmocka_unit_test(test_list_bad_parameters),
        cmocka_unit_test(test_request_id_is_echoed),
        cmocka_unit_test(test_logs_mask_customer_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
