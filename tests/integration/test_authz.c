/**
 * @file test_authz.c
 * @brief The authorization matrix: every route of the router table × every role, no token, a
 *        revoked token and malformed Authorization headers, against the answer the table (the
 *        same one the README matrix is generated from) says is intended. A refused request
 *        writes nothing (database fingerprint unchanged). Tokens: only their SHA-256 is
 *        stored, no table and no log line holds one, revocation takes effect on the next
 *        request even right after the token was used.
 */
#include "harness_sec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "domain/roles.h"

static struct hs srv;
static json_t *samples;
static const char *revoked;
static int tried, failures;

static void revoke(const char *name)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "HOTLINE_DATABASE_URL='%s' HOTLINE_LOG_LEVEL=warn '%s' token revoke "
                              "%s >/dev/null",
             getenv("HOTLINE_TEST_DB"), getenv("HOTLINE_TEST_BIN"), name);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *env[] = {"HOTLINE_SWEEP_INTERVAL_MS=3600000", NULL}; /* no background work */
    hs_start_at(&srv, "authz", env, "2026-11-26T10:00:00+08:00");
    for (int i = 0; i < ROLE_COUNT; i++)
        hx_role_token(1u << i);
    struct h_resp *r = h_req(&srv, "POST", "/tickets", hx_role_token(ROLE_ADMIN),
                             "{\"class\":\"general\",\"subject\":\"authz\"}", NULL);
    h_expect(r, 201);
    char id[32];
    snprintf(id, sizeof id, "%lld", h_int(r->json, "id"));
    hx_param_set("id", id);
    h_free(r);
    revoked = h_token("admin", "authz-revoked");
    r = h_get(&srv, revoked, "/tickets?limit=1"); /* used once, then revoked */
    h_expect(r, 200);
    h_free(r);
    revoke("authz-revoked");
    samples = hx_openapi_samples();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(samples);
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

enum want { WANT_PASS, WANT_403, WANT_401, WANT_400 };

static void check(const struct route *rt, const char *who, const char *token,
                  const char *const *headers, enum want want)
{
    char path[512], key[600];
    hx_path(rt->pattern, NULL, path, sizeof path);
    snprintf(key, sizeof key, "%s %s", rt->method, rt->pattern);
    char *body = NULL;
    if (rt->flags & ROUTE_JSON_BODY) {
        json_t *s = json_object_get(samples, key);
        body = s ? json_dumps(s, JSON_COMPACT) : strdup("{}");
    }
    const char *hdrs[8] = {"If-Match: *", NULL};
    for (int i = 0; headers && headers[i] && i < 6; i++)
        hdrs[i + 1] = headers[i];
    char *before = hx_db_fingerprint();
    struct h_resp *r =
        hx_req(&srv, rt->method, path, token, body, body ? strlen(body) : 0, NULL, hdrs);
    tried++;
    char *after = hx_db_fingerprint();
    const char *type = json_string_value(json_object_get(r->json, "type"));
    const char *detail = json_string_value(json_object_get(r->json, "detail"));
    char role_refusal[160];
    snprintf(role_refusal, sizeof role_refusal, "may not %s %s", rt->method, rt->pattern);
    bool refused_by_role = r->status == 403 && detail && strstr(detail, role_refusal);
    const char *bad = NULL;
    char msg[400];
    switch (want) {
    case WANT_PASS:
        if (r->status == 401 || refused_by_role || r->status < 100 || r->status >= 500) {
            snprintf(msg, sizeof msg, "expected to pass authorization, got %ld: %.200s",
                     r->status, r->body);
            bad = msg;
        }
        break;
    case WANT_400:
        if (r->status != 400 || hx_problem_shape(r) || strcmp(before, after) != 0) {
            snprintf(msg, sizeof msg, "expected 400 and nothing written, got %ld: %.200s",
                     r->status, r->body);
            bad = msg;
        }
        break;
    case WANT_403:
    case WANT_401: {
        long status = want == WANT_403 ? 403 : 401;
        const char *slug = want == WANT_403 ? "urn:hotline:problem:forbidden"
                                            : "urn:hotline:problem:unauthorized";
        char www[128] = "";
        if (h_header(r, "WWW-Authenticate"))
            snprintf(www, sizeof www, "%s", h_header(r, "WWW-Authenticate"));
        if (r->status != status || !type || strcmp(type, slug) != 0 || hx_problem_shape(r)) {
            snprintf(msg, sizeof msg, "expected %ld %s, got %ld: %.200s", status, slug,
                     r->status, r->body);
            bad = msg;
        } else if (want == WANT_403 && !refused_by_role) {
            snprintf(msg, sizeof msg, "403 for another reason than the role: %.200s", r->body);
            bad = msg;
        } else if (want == WANT_401 && strncmp(www, "Bearer", 6) != 0) {
            snprintf(msg, sizeof msg, "401 without WWW-Authenticate: Bearer");
            bad = msg;
        } else if (strcmp(before, after) != 0) {
            char diff[300];
            hx_fingerprint_diff(before, after, diff, sizeof diff);
            snprintf(msg, sizeof msg, "refused, but the database changed: %s", diff);
            bad = msg;
        }
        break;
    }
    }
    if (bad) {
        failures++;
        print_error("AUTHZ FAIL %s %s as %s: %s\n", rt->method, rt->pattern, who, bad);
    }
    free(before);
    free(after);
    free(body);
    h_free(r);
}

static void test_matrix(void **state)
{
    (void)state;
    size_t n;
    const struct route *routes = api_routes(&n);
    char bearer_of_revoked[300], wrong[300], trailing[300], lower[300];
    snprintf(bearer_of_revoked, sizeof bearer_of_revoked, "Authorization: Bearer %s", revoked);
    const char *admin = hx_role_token(ROLE_ADMIN);
    snprintf(wrong, sizeof wrong, "Authorization: Bearer %.*s%c", (int)strlen(admin) - 1, admin,
             admin[strlen(admin) - 1] == 'x' ? 'y' : 'x');
    snprintf(trailing, sizeof trailing, "Authorization: Bearer %s extra", admin);
    snprintf(lower, sizeof lower, "Authorization: Basic %s", admin);
    char long_token[400] = "Authorization: Bearer ";
    memset(long_token + strlen(long_token), 'A', 300);
    const char *malformed[] = {
        "Authorization: Basic dXNlcjpwYXNz",
        "Authorization: Bearer",
        "Authorization: Bearer ",
        "Authorization: Bearer short",
        "Authorization: Bearer ' OR '1'='1' --",
        "Authorization: Bearer hl_%00%00%00%00%00%00",
        "Authorization: Token abcdefghijklmnop",
        "Authorization: Bearerabcdefghijklmnop",
        "Authorization: Bearer ../../../../etc/passwd",
        bearer_of_revoked, wrong, trailing, lower, long_token,
    };
    const char *dup[] = {NULL, NULL, NULL};
    char dup_valid[300], dup_agent[300];
    snprintf(dup_valid, sizeof dup_valid, "Authorization: Bearer %s", admin);
    snprintf(dup_agent, sizeof dup_agent, "Authorization: Bearer %s",
             hx_role_token(ROLE_AGENT));
    dup[0] = dup_agent;
    dup[1] = dup_valid;
    for (size_t i = 0; i < n; i++) {
        const struct route *rt = &routes[i];
        for (int b = 0; b < ROLE_COUNT; b++) {
            unsigned bit = 1u << b;
            enum want w = rt->roles == 0 || (rt->roles & bit) ? WANT_PASS : WANT_403;
            check(rt, hx_role_name(bit), hx_role_token(bit), NULL, w);
        }
        enum want anon = rt->roles == 0 ? WANT_PASS : WANT_401;
        check(rt, "no token", NULL, NULL, anon);
        for (size_t m = 0; m < sizeof malformed / sizeof malformed[0]; m++) {
            const char *h[] = {malformed[m], NULL};
            char who[64];
            snprintf(who, sizeof who, "malformed header %zu", m);
            check(rt, who, NULL, h, anon);
        }
        /* two Authorization headers: which one counts is ambiguous, so the request is refused */
        check(rt, "two Authorization headers", NULL, dup, WANT_400);
    }
    print_message("authorization matrix: %zu routes x %d roles + anonymous, revoked, %zu "
                  "malformed and a doubled header: %d requests, %d failures\n",
                  n, ROLE_COUNT, sizeof malformed / sizeof malformed[0], tried, failures);
    assert_int_equal(failures, 0);
}

/* Revocation is immediate even right after the token was used (no cache may keep it alive). */
static void test_revocation_right_after_use(void **state)
{
    (void)state;
    const char *t = h_token("supervisor", "authz-short-lived");
    for (int i = 0; i < 5; i++) {
        struct h_resp *r = h_get(&srv, t, "/tickets?limit=1");
        h_expect(r, 200);
        h_free(r);
    }
    revoke("authz-short-lived");
    for (int i = 0; i < 8; i++) { /* every worker thread */
        struct h_resp *r = h_get(&srv, t, "/tickets?limit=1");
        h_expect_problem(r, 401);
        h_free(r);
    }
}

/* Only SHA-256 hashes are stored; no table and no log line holds a token. */
static void test_tokens_are_stored_as_hashes_only(void **state)
{
    (void)state;
    PGconn *db = h_db();
    for (int i = 0; i < ROLE_COUNT; i++) {
        const char *t = hx_role_token(1u << i);
        const char *p[] = {t};
        PGresult *res = PQexecParams(db,
                                     "SELECT count(*) FROM api_tokens WHERE token_hash = "
                                     "encode(sha256(convert_to($1, 'UTF8')), 'hex')",
                                     1, NULL, p, NULL, NULL, 0);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        assert_string_equal(PQgetvalue(res, 0, 0), "1");
        PQclear(res);
        /* the raw text (or any 16-character piece of it) is in no row of any table */
        res = PQexec(db, "SELECT quote_ident(table_name) FROM information_schema.tables "
                         "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
        for (int k = 0; k < PQntuples(res); k++) {
            char sql[512];
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM %s x WHERE strpos(x::text, substr($1, 4, 16)) > 0",
                     PQgetvalue(res, k, 0));
            PGresult *c = PQexecParams(db, sql, 1, NULL, p, NULL, NULL, 0);
            if (PQresultStatus(c) != PGRES_TUPLES_OK || strcmp(PQgetvalue(c, 0, 0), "0") != 0)
                fail_msg("table %s holds (part of) a raw token", PQgetvalue(res, k, 0));
            PQclear(c);
        }
        PQclear(res);
    }
    char *log = h_read_file(srv.log_path);
    assert_non_null(log);
    for (int i = 0; i < ROLE_COUNT; i++) {
        char piece[17];
        snprintf(piece, sizeof piece, "%.16s", hx_role_token(1u << i) + 3);
        if (strstr(log, piece))
            fail_msg("the server log holds (part of) the %s token", hx_role_name(1u << i));
    }
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_revocation_right_after_use),
        cmocka_unit_test(test_tokens_are_stored_as_hashes_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
