/**
 * @file test_transport.c
 * @brief Optional TLS and the CORS allowlist. HTTPS is tested with a self-signed certificate
 *        the test makes with openssl: the service answers over TLS to a client that verifies
 *        the certificate, and nothing in clear text on the same port; old protocol versions are
 *        refused. CORS: only origins on the allowlist, compared exactly, get CORS headers;
 *        preflights from other origins are refused on every route.
 */
#include "harness_sec.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"

static struct hs tls, plain;
static const char *agent;
static char cert[512], key[512];

static int setup(void **state)
{
    (void)state;
    snprintf(cert, sizeof cert, "%s", h_tmp_path("cert.pem"));
    snprintf(key, sizeof key, "%s", h_tmp_path("key.pem"));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             key, cert);
    assert_int_equal(system(cmd), 0);
    char c[600], k[600];
    snprintf(c, sizeof c, "HOTLINE_TLS_CERT=%s", cert);
    snprintf(k, sizeof k, "HOTLINE_TLS_KEY=%s", key);
    const char *env[] = {c, k, NULL};
    hs_start(&tls, "tls", env);
    const char *cors[] = {"HOTLINE_CORS_ORIGINS=https://desk.example.org, https://wall.example.org",
                          NULL};
    hs_start(&plain, "cors", cors);
    agent = h_token("agent", "transport-agent");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&tls), 0);
    assert_int_equal(hs_stop(&plain), 0);
    return 0;
}

static size_t sink(char *p, size_t s, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return s * n;
}

/* GET over HTTPS verifying the test's certificate; the status or -1. */
static long https_get(const char *path, const char *token, long tls_max)
{
    CURL *c = curl_easy_init();
    char url[256], auth[300];
    snprintf(url, sizeof url, "https://127.0.0.1:%d%s", tls.port, path);
    struct curl_slist *hl = NULL;
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, cert);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (tls_max) { /* let our client offer old versions, so the refusal is the server's */
        curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_0 | tls_max);
        curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
    }
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return status;
}

static void test_https_with_a_verified_certificate(void **state)
{
    (void)state;
    assert_int_equal(https_get("/healthz", NULL, 0), 200);
    assert_int_equal(https_get("/tickets?limit=1", agent, 0), 200);
    assert_int_equal(https_get("/tickets?limit=1", NULL, 0), 401);
}

static void test_no_clear_text_on_the_tls_port(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&tls, NULL, "/healthz"); /* http:// to the TLS port */
    assert_true(r->status != 200);
    h_free(r);
    char answer[1024];
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    h_raw(&tls, req, strlen(req), answer, sizeof answer, 2000);
    assert_null(strstr(answer, "\"status\":\"ok\""));
}

static void test_old_tls_versions_are_refused(void **state)
{
    (void)state;
    assert_int_equal(https_get("/healthz", NULL, CURL_SSLVERSION_MAX_TLSv1_1), -1);
    assert_int_equal(https_get("/healthz", NULL, CURL_SSLVERSION_MAX_TLSv1_2), 200);
}

static void test_tls_needs_both_files(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "HOTLINE_TLS_CERT='%s' HOTLINE_LISTEN=127.0.0.1:0 '%s' serve 2>&1 | grep -q "
             "HOTLINE_TLS_KEY",
             cert, getenv("HOTLINE_TEST_BIN"));
    assert_int_equal(system(cmd), 0);
}

static void expect_no_cors(const char *origin)
{
    char h[300];
    snprintf(h, sizeof h, "Origin: %s", origin);
    const char *hdrs[] = {h, NULL};
    struct h_resp *r = h_req(&plain, "GET", "/healthz", NULL, NULL, hdrs);
    h_expect(r, 200);
    if (h_header(r, "Access-Control-Allow-Origin"))
        fail_msg("origin %s got Access-Control-Allow-Origin", origin);
    h_free(r);
}

static void test_cors_allowlist_is_exact(void **state)
{
    (void)state;
    const char *hdrs[] = {"Origin: https://wall.example.org", NULL};
    struct h_resp *r = h_req(&plain, "GET", "/tickets?limit=1", agent, NULL, hdrs);
    h_expect(r, 200);
    assert_string_equal(h_header(r, "Access-Control-Allow-Origin"), "https://wall.example.org");
    assert_non_null(strstr(h_header(r, "Vary"), "Origin"));
    assert_null(h_header(r, "Access-Control-Allow-Credentials"));
    h_free(r);
    const char *refused[] = {"https://desk.example.org.evil.com", "https://desk.example.or",
                             "http://desk.example.org", "HTTPS://DESK.EXAMPLE.ORG",
                             "https://desk.example.org:443", "null", "*",
                             "https://desk.example.org, https://evil.example.com", ""};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        expect_no_cors(refused[i]);
    /* the errors a browser sees carry the header too, so the desk can read them */
    r = h_req(&plain, "GET", "/tickets", NULL, NULL, hdrs);
    h_expect_problem(r, 401);
    assert_string_equal(h_header(r, "Access-Control-Allow-Origin"), "https://wall.example.org");
    h_free(r);
}

static void test_preflight_on_every_route(void **state)
{
    (void)state;
    size_t n;
    const struct route *routes = api_routes(&n);
    for (size_t i = 0; i < n; i++) {
        char path[256], method[80];
        hx_path(routes[i].pattern, NULL, path, sizeof path);
        snprintf(method, sizeof method, "Access-Control-Request-Method: %s", routes[i].method);
        const char *ok[] = {"Origin: https://desk.example.org", method, NULL};
        struct h_resp *r = h_req(&plain, "OPTIONS", path, NULL, NULL, ok);
        h_expect(r, 204);
        assert_string_equal(h_header(r, "Access-Control-Allow-Origin"), "https://desk.example.org");
        if (!strstr(h_header(r, "Access-Control-Allow-Methods"), routes[i].method))
            fail_msg("preflight of %s %s does not allow its method", routes[i].method,
                     routes[i].pattern);
        h_free(r);
        const char *evil[] = {"Origin: https://evil.example.com", method, NULL};
        r = h_req(&plain, "OPTIONS", path, NULL, NULL, evil);
        h_expect_problem(r, 403);
        assert_null(h_header(r, "Access-Control-Allow-Origin"));
        h_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https_with_a_verified_certificate),
        cmocka_unit_test(test_no_clear_text_on_the_tls_port),
        cmocka_unit_test(test_old_tls_versions_are_refused),
        cmocka_unit_test(test_tls_needs_both_files),
        cmocka_unit_test(test_cors_allowlist_is_exact),
        cmocka_unit_test(test_preflight_on_every_route),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
