/**
 * @file test_promtext.c
 * @brief The exposition writer and the histograms behind it: label escaping, names, numbers,
 *        bucket edges, cumulative counts, and the per-route request counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "api/routes.h"
#include "http/metrics.h"
#include "util/histo.h"
#include "util/promtext.h"

static void test_label_escaping(void **state)
{
    (void)state;
    struct {
        const char *value, *want;
    } rows[] = {
        {"a\"b", "k=\"a\\\"b\""},
        {"a\\b", "k=\"a\\\\b\""},
        {"two\nlines", "k=\"two\\nlines\""},
        {"", "k=\"\""},
        {"/tickets/{id}", "k=\"/tickets/{id}\""},
        {"张三", "k=\"张三\""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct prom_labels l;
        prom_labels_init(&l);
        prom_labels_add(&l, "k", rows[i].value);
        assert_false(l.truncated);
        assert_string_equal(l.text, rows[i].want);
    }
    struct prom_labels l;
    prom_labels_init(&l);
    prom_labels_add(&l, "a", "1");
    prom_labels_add(&l, "b", "2");
    assert_string_equal(l.text, "a=\"1\",b=\"2\"");
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    prom_labels_add(&l, "c", big);
    assert_true(l.truncated);
}

static void test_names(void **state)
{
    (void)state;
    struct {
        const char *name;
        bool metric, want;
    } rows[] = {
        {"", false, false},    {"1abc", false, false}, {"a-b", false, false},
        {"a:b", false, false}, {"le", false, true},    {"a:b", true, true},
        {"_x9", false, true},  {"route", false, true}, {"hotline_x_total", true, true},
        {"a b", true, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(prom_valid_name(rows[i].name, rows[i].metric), rows[i].want);
}

static void test_samples(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    prom_family(&sb, "x", "gauge", "back\\slash and\nnewline");
    prom_sample(&sb, "x", NULL, 0.25);
    prom_sample(&sb, "x", NULL, NAN);
    prom_sample(&sb, "x", NULL, -INFINITY);
    prom_sample_u64(&sb, "x", NULL, UINT64_MAX);
    assert_string_equal(sb.data, "# HELP x back\\\\slash and\\nnewline\n# TYPE x gauge\n"
                                 "x 0.25\nx NaN\nx -Inf\nx 18446744073709551615\n");
    strbuf_free(&sb);
}

static void test_histogram_edges(void **state)
{
    (void)state;
    static struct histo h; /* zeroed: empty */
    struct histo_snapshot s;
    histo_snapshot(&h, &s);
    assert_int_equal(s.count, 0);
    /* a bound belongs to its own bucket (le is "less or equal") */
    histo_observe(&h, 500);          /* le 0.0005 */
    histo_observe(&h, 501);          /* le 0.001 */
    histo_observe(&h, -5);           /* clock went back: 0 */
    histo_observe(&h, 3600000000LL); /* an hour: +Inf only */
    histo_snapshot(&h, &s);
    assert_int_equal(s.cumulative[0], 2);
    assert_int_equal(s.cumulative[1], 3);
    assert_int_equal(s.cumulative[HISTO_BOUNDS - 1], 3);
    assert_int_equal(s.cumulative[HISTO_BOUNDS], 4);
    assert_int_equal(s.count, 4);
    assert_true(fabs(s.sum_seconds - 3600.001001) < 1e-6);

    struct strbuf sb;
    strbuf_init(&sb);
    struct prom_labels l;
    prom_labels_init(&l);
    prom_labels_add(&l, "route", "/x");
    prom_histogram(&sb, "d", &l, &s);
    assert_non_null(strstr(sb.data, "d_bucket{route=\"/x\",le=\"0.0005\"} 2\n"));
    assert_non_null(strstr(sb.data, "d_bucket{route=\"/x\",le=\"10\"} 3\n"));
    assert_non_null(strstr(sb.data, "d_bucket{route=\"/x\",le=\"+Inf\"} 4\n"));
    assert_non_null(strstr(sb.data, "d_count{route=\"/x\"} 4\n"));
    strbuf_free(&sb);
}

static void test_route_counters(void **state)
{
    (void)state;
    size_t n;
    const struct route *t = api_routes(&n);
    assert_true(http_metrics_init(t, n));
    http_metrics_observe(&t[0], 200, 100);
    http_metrics_observe(&t[0], 200, 100);
    http_metrics_observe(&t[n - 1], 503, 100);
    http_metrics_observe(NULL, 404, 100);
    http_metrics_observe(NULL, 999, 100); /* out of range: timed, not counted */
    assert_int_equal(http_metrics_count(&t[0], 200), 2);
    assert_int_equal(http_metrics_count(&t[n - 1], 503), 1);
    assert_int_equal(http_metrics_count(NULL, 404), 1);
    assert_int_equal(http_metrics_count(NULL, 999), 0);
    struct strbuf sb;
    strbuf_init(&sb);
    http_metrics_render(&sb);
    char want[256];
    snprintf(want, sizeof want,
             "hotline_http_requests_total{method=\"%s\",route=\"%s\","
             "status=\"200\"} 2\n",
             t[0].method, t[0].pattern);
    assert_non_null(strstr(sb.data, want));
    assert_non_null(strstr(sb.data, "{method=\"\",route=\"unmatched\",status=\"404\"} 1\n"));
    assert_non_null(strstr(sb.data, "hotline_http_request_duration_seconds_count{method=\"\","
                                    "route=\"unmatched\"} 2\n"));
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_escaping), cmocka_unit_test(test_names),
        cmocka_unit_test(test_samples),        cmocka_unit_test(test_histogram_edges),
        cmocka_unit_test(test_route_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
