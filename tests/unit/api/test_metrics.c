/*
 * test_metrics.c: per-thread counters summed on scrape: request counts by
 * route and status, cumulative histogram buckets, the sum in seconds, the
 * "unmatched" route, store errors, gauges, and routes without traffic left
 * out of the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/metrics.h"
#include "core/mem.h"

static void test_render(void **state)
{
    bss_metrics *m = bss_metrics_create(2, 3);
    assert_non_null(m);
    bss_metrics_set_route_name(m, 0, "admin.health");
    bss_metrics_set_route_name(m, 1, "tmf620.category.get");
    bss_metrics_observe(m, 0, 0, 200, 100000);     /* 0.1 ms */
    bss_metrics_observe(m, 1, 0, 200, 700000);     /* 0.7 ms, other thread */
    bss_metrics_observe(m, 1, 1, 404, 3000000000); /* 3 s */
    bss_metrics_observe(m, 0, 1, 599, 9000000000); /* 9 s: +Inf, status "other" */
    bss_metrics_observe(m, 0, 99, 404, 1000);      /* no route */
    bss_metrics_observe(m, 7, 0, 200, 1);          /* no such thread: ignored */
    bss_metrics_set_db_errors(m, 0, 2);
    bss_metrics_set_db_errors(m, 1, 3);
    bss_metrics_gauges g = {.outbox_backlog = 7, .writer_queue = 4, .writer_failures = 1};
    size_t len = 0;
    char *text = bss_metrics_render(m, &g, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    assert_non_null(strstr(text, "# TYPE bss_http_requests_total counter\n"));
    assert_non_null(strstr(text, "bss_http_requests_total{route=\"admin.health\",status=\"200\"} 2\n"));
    assert_non_null(
        strstr(text, "bss_http_requests_total{route=\"tmf620.category.get\",status=\"404\"} 1\n"));
    assert_non_null(
        strstr(text, "bss_http_requests_total{route=\"tmf620.category.get\",status=\"other\"} 1\n"));
    assert_non_null(strstr(text, "bss_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"));
    assert_null(strstr(text, "route2")); /* no traffic, not printed */
    assert_non_null(
        strstr(text, "bss_http_request_duration_seconds_bucket{route=\"admin.health\",le=\"0.0005\"} 1\n"));
    assert_non_null(
        strstr(text, "bss_http_request_duration_seconds_bucket{route=\"admin.health\",le=\"0.001\"} 2\n"));
    assert_non_null(
        strstr(text, "bss_http_request_duration_seconds_bucket{route=\"admin.health\",le=\"+Inf\"} 2\n"));
    assert_non_null(strstr(
        text, "bss_http_request_duration_seconds_bucket{route=\"tmf620.category.get\",le=\"2.5\"} 0\n"));
    assert_non_null(
        strstr(text, "bss_http_request_duration_seconds_bucket{route=\"tmf620.category.get\",le=\"5\"} 1\n"));
    assert_non_null(strstr(
        text, "bss_http_request_duration_seconds_bucket{route=\"tmf620.category.get\",le=\"+Inf\"} 2\n"));
    assert_non_null(
        strstr(text, "bss_http_request_duration_seconds_sum{route=\"admin.health\"} 0.000800000\n"));
    assert_non_null(
        strstr(text, "bss_http_request_duration_seconds_sum{route=\"tmf620.category.get\"} 12.000000000\n"));
    assert_non_null(strstr(text, "bss_http_request_duration_seconds_count{route=\"admin.health\"} 2\n"));
    assert_non_null(strstr(text, "bss_db_errors_total 6\n"));
    assert_non_null(strstr(text, "bss_outbox_backlog 7\n"));
    assert_non_null(strstr(text, "bss_writer_queue 4\n"));
    bss_free(text);
    bss_metrics_destroy(m);
    bss_metrics_destroy(NULL);
}

static void test_unnamed_and_big(void **state)
{
    bss_metrics *m = bss_metrics_create(1, 200);
    for (size_t r = 0; r < 200; r++)
        bss_metrics_observe(m, 0, r, 201, 1000);
    size_t len = 0;
    char *text = bss_metrics_render(m, NULL, &len); /* grows past the first 4 KiB; no gauges */
    assert_non_null(text);
    assert_true(len > 4096);
    assert_non_null(strstr(text, "bss_http_requests_total{route=\"route199\",status=\"201\"} 1\n"));
    assert_non_null(strstr(text, "bss_outbox_backlog 0\n"));
    bss_free(text);
    bss_metrics_destroy(m);
}

static void test_oom(void **state)
{
    int64_t before = bss_mem_used();
    for (int n = 1; n < 8; n++) {
        bss_mem_fail_after(n, 1);
        bss_metrics *m = bss_metrics_create(2, 4);
        bss_mem_fail_after(0, 0);
        bss_metrics_destroy(m);
        assert_int_equal(bss_mem_used(), before);
    }
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_unnamed_and_big),
        cmocka_unit_test(test_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
