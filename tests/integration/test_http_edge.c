/**
 * @file test_http_edge.c
 * @brief The HTTP edge, spoken to with raw bytes: framing attacks, %00, header and query
 *        floods, CORS, HEAD and OPTIONS, graceful shutdown.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs srv;
static const char *agent;

static int setup(void **state)
{
    (void)state;
    const char *env[] = {"HOTLINE_CORS_ORIGINS=https://desk.example.org", NULL};
    hs_start(&srv, "edge", env);
    agent = h_token("agent", "edge-agent");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (srv.pid)
        hs_stop(&srv);
    return 0;
}

static int raw_status(const char *req, char *answer, size_t n)
{
    h_raw(&srv, req, strlen(req), answer, n, 3000);
    return h_raw_status(answer);
}

static void expect_raw_problem(const char *req, int status)
{
    char answer[8192];
    int got = raw_status(req, answer, sizeof answer);
    if (got != status)
        fail_msg("expected %d for %.60s..., got %d: %.300s", status, req, got, answer);
    if (!strstr(answer, "application/problem+json"))
        fail_msg("no problem+json: %.300s", answer);
}

static void test_http11_without_host(void **state)
{
    (void)state;
    expect_raw_problem("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 400);
}

static void test_content_length_and_chunked(void **state)
{
    (void)state;
    char req[1024];
    snprintf(req, sizeof req,
             "POST /tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 4\r\n"
             "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
             agent);
    expect_raw_problem(req, 400);
}

static void test_unknown_transfer_coding(void **state)
{
    (void)state;
    expect_raw_problem("POST /tickets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                       "Connection: close\r\n\r\n",
                       501);
}

static void test_nul_in_path(void **state)
{
    (void)state;
    expect_raw_problem("GET /tickets%00/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
    expect_raw_problem("GET /healthz?x=%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
}

static void test_too_many_headers(void **state)
{
    (void)state;
    char req[8192] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    for (int i = 0; i < 80; i++) {
        char line[32];
        snprintf(line, sizeof line, "X-H%d: %d\r\n", i, i);
        strcat(req, line);
    }
    strcat(req, "\r\n");
    expect_raw_problem(req, 431);
}

static void test_chunked_body_is_accepted(void **state)
{
    (void)state;
    const char *body = "{\"class\":\"general\",\"subject\":\"chunked\"}";
    char req[2048];
    snprintf(req, sizeof req,
             "POST /tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
             "Connection: close\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
             agent, strlen(body), body);
    char answer[4096];
    assert_int_equal(raw_status(req, answer, sizeof answer), 201);
}

static void test_cors(void **state)
{
    (void)state;
    const char *ok[] = {"Origin: https://desk.example.org",
                        "Access-Control-Request-Method: POST", NULL};
    struct h_resp *r = h_req(&srv, "OPTIONS", "/tickets", NULL, NULL, ok);
    h_expect(r, 204);
    assert_string_equal(h_header(r, "Access-Control-Allow-Origin"), "https://desk.example.org");
    assert_non_null(strstr(h_header(r, "Access-Control-Allow-Headers"), "Idempotency-Key"));
    h_free(r);
    const char *evil[] = {"Origin: https://evil.example.com",
                          "Access-Control-Request-Method: POST", NULL};
    r = h_req(&srv, "OPTIONS", "/tickets", NULL, NULL, evil);
    h_expect_problem(r, 403);
    assert_null(h_header(r, "Access-Control-Allow-Origin"));
    h_free(r);
    r = h_req(&srv, "GET", "/healthz", NULL, NULL, evil);
    h_expect(r, 200);
    assert_null(h_header(r, "Access-Control-Allow-Origin"));
    h_free(r);
}

static void test_head_and_options(void **state)
{
    (void)state;
    struct h_resp *r = h_req(&srv, "HEAD", "/healthz", NULL, NULL, NULL);
    h_expect(r, 200);
    assert_int_equal(r->body_len, 0);
    h_free(r);
    r = h_req(&srv, "OPTIONS", "/tickets/1", NULL, NULL, NULL);
    h_expect(r, 204);
    assert_non_null(strstr(h_header(r, "Allow"), "PATCH"));
    h_free(r);
}

static void test_graceful_shutdown(void **state)
{
    (void)state;
    double t0 = h_now();
    assert_int_equal(hs_stop(&srv), 0);
    assert_true(h_now() - t0 < 5.0);
    char *log = h_read_file(srv.log_path);
    assert_non_null(strstr(log, "\"msg\":\"stopped\""));
    free(log);
}

static void test_production_build_has_no_test_clock(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' --help | grep -q HOTLINE_TEST_CLOCK_FILE",
             getenv("HOTLINE_TEST_PROD_BIN"));
    assert_int_not_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' --help | grep -q HOTLINE_TEST_CLOCK_FILE",
             getenv("HOTLINE_TEST_BIN"));
    assert_int_equal(system(cmd), 0);
}

static void test_bad_configuration_is_refused(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "HOTLINE_THREADS=lots '%s' serve 2>&1 | grep -q HOTLINE_THREADS",
             getenv("HOTLINE_TEST_BIN"));
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "HOTLINE_LISTEN=nowhere '%s' serve >/dev/null 2>&1",
             getenv("HOTLINE_TEST_BIN"));
    assert_int_not_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http11_without_host),
        cmocka_unit_test(test_content_length_and_chunked),
        cmocka_unit_test(test_unknown_transfer_coding),
        cmocka_unit_test(test_nul_in_path),
        cmocka_unit_test(test_too_many_headers),
        cmocka_unit_test(test_chunked_body_is_accepted),
        cmocka_unit_test(test_cors),
        cmocka_unit_test(test_head_and_options),
        cmocka_unit_test(test_production_build_has_no_test_clock),
        cmocka_unit_test(test_bad_configuration_is_refused),
        cmocka_unit_test(test_graceful_shutdown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
