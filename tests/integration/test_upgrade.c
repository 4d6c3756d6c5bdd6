/**
 * @file test_upgrade.c
 * @brief Readiness across a rolling upgrade: an instance is ready at its own schema or a
 *        newer one (the next release migrated first), and not ready while any of its own
 *        migrations is missing, the latest or an earlier one (branches landing out of order).
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static struct hs srv;

static int setup(void **state)
{
    (void)state;
    hs_start(&srv, "upgrade", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

static void test_ready_on_newer_schema_not_older(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&srv, NULL, "/readyz");
    h_expect(r, 200);
    char ours[128];
    snprintf(ours, sizeof ours, "%s", h_str(r->json, "schema"));
    h_free(r);

    /* the next release has migrated: this (old) instance keeps serving */
    h_db_exec("INSERT INTO schema_migrations (version, applied_at)"
              " VALUES ('9999_from_a_newer_release', now())");
    r = h_get(&srv, NULL, "/readyz");
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "schema"), ours);
    h_free(r);
    h_db_exec("DELETE FROM schema_migrations WHERE version = '9999_from_a_newer_release'");

    /* a database behind this binary: not ready until `hotlined migrate` ran */
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM schema_migrations WHERE version = '%s'", ours);
    h_db_exec(sql);
    r = h_get(&srv, NULL, "/readyz");
    h_expect_problem(r, 503);
    h_free(r);
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_migrations (version, applied_at) VALUES ('%s', now())", ours);
    h_db_exec(sql);
    r = h_get(&srv, NULL, "/readyz");
    h_expect(r, 200);
    h_free(r);

    /* a gap below the newest: an earlier migration of ours is missing */
    h_db_exec("UPDATE schema_migrations SET version = version || '_moved'"
              " WHERE version = (SELECT min(version) FROM schema_migrations)");
    r = h_get(&srv, NULL, "/readyz");
    h_expect_problem(r, 503);
    h_free(r);
    h_db_exec("UPDATE schema_migrations SET version = replace(version, '_moved', '')");
    r = h_get(&srv, NULL, "/readyz");
    h_expect(r, 200);
    h_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_on_newer_schema_not_older),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
