/**
 * @file test_token_cache.c
 * @brief The in-process token cache: it is used (a change that bypasses the notification is not
 *        seen), yet a revocation is refused at once by every running instance, by the command
 *        or by hand in SQL, and while the database is away the cache is not trusted.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs a, b;

/* Wait until the server's log says its token cache listens (it connects after /healthz). */
static void wait_cache_on(struct hs *s)
{
    for (int i = 0; i < 100; i++) {
        char *log = h_read_file(s->log_path);
        bool on = log && strstr(log, "token cache on");
        free(log);
        if (on)
            return;
        h_sleep_ms(50);
    }
    fail_msg("%s: the token cache never came on", s->name);
}

static int setup(void **state)
{
    (void)state;
    hs_start(&a, "cache-a", NULL);
    hs_start(&b, "cache-b", NULL);
    wait_cache_on(&a);
    wait_cache_on(&b);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_pg_start();
    assert_int_equal(hs_stop(&a), 0);
    assert_int_equal(hs_stop(&b), 0);
    return 0;
}

static long status_of(struct hs *s, const char *token)
{
    struct h_resp *r = h_get(s, token, "/tickets?limit=1");
    long st = r->status;
    h_free(r);
    return st;
}

static void revoke(const char *name)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "HOTLINE_DATABASE_URL='%s' HOTLINE_LOG_LEVEL=warn '%s' token revoke %s >/dev/null",
             getenv("HOTLINE_TEST_DB"), getenv("HOTLINE_TEST_BIN"), name);
    assert_int_equal(system(cmd), 0);
}

static void test_cached_tokens_skip_the_database(void **state)
{
    (void)state;
    const char *t = h_token("agent", "cached");
    assert_int_equal(status_of(&a, t), 200); /* looked up and remembered */
    /* A change that bypasses the notification is not seen: proof the cache answered. */
    h_db_exec("ALTER TABLE api_tokens DISABLE TRIGGER api_tokens_changed");
    h_db_exec("UPDATE api_tokens SET revoked_at = now() WHERE name = 'cached'");
    h_db_exec("ALTER TABLE api_tokens ENABLE TRIGGER api_tokens_changed");
    assert_int_equal(status_of(&a, t), 200);
    /* An instance that never saw the token asks the database. */
    assert_int_equal(status_of(&b, t), 401);
}

static void test_revoke_command_is_immediate_on_every_instance(void **state)
{
    (void)state;
    const char *t = h_token("agent", "everywhere");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(status_of(&a, t), 200);
        assert_int_equal(status_of(&b, t), 200);
    }
    revoke("everywhere"); /* returns once both instances confirmed */
    assert_int_equal(status_of(&a, t), 401);
    assert_int_equal(status_of(&b, t), 401);
}

static void test_revocation_by_hand_reaches_the_caches(void **state)
{
    (void)state;
    const char *t = h_token("agent", "by-hand");
    assert_int_equal(status_of(&a, t), 200);
    assert_int_equal(status_of(&b, t), 200);
    h_db_exec("UPDATE api_tokens SET revoked_at = now() WHERE name = 'by-hand'");
    /* no one waits for the acknowledgements here: the notification arrives within moments */
    long sa = 200, sb = 200;
    for (int i = 0; i < 40 && (sa != 401 || sb != 401); i++) {
        h_sleep_ms(25);
        sa = status_of(&a, t);
        sb = status_of(&b, t);
    }
    assert_int_equal(sa, 401);
    assert_int_equal(sb, 401);
}

static void test_database_restart_does_not_keep_stale_tokens(void **state)
{
    (void)state;
    const char *t = h_token("agent", "restart");
    assert_int_equal(status_of(&a, t), 200);
    h_pg_stop("fast");
    h_pg_start();
    /* Revoke as soon as the database is back, before the listener may have reconnected. */
    revoke("restart");
    long st = 0;
    for (int i = 0; i < 40; i++) { /* 503 while the worker reconnects, then 401, never 200 */
        st = status_of(&a, t);
        assert_true(st == 401 || st == 503);
        if (st == 401)
            break;
        h_sleep_ms(100);
    }
    assert_int_equal(st, 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cached_tokens_skip_the_database),
        cmocka_unit_test(test_revoke_command_is_immediate_on_every_instance),
        cmocka_unit_test(test_revocation_by_hand_reaches_the_caches),
        cmocka_unit_test(test_database_restart_does_not_keep_stale_tokens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
