/*
 * test_log.c: the key=value line format (quoting and escapes), level
 * parsing and filtering, the per-thread request id, bss_logf, long lines,
 * and whole lines from concurrent threads. Lines go to a temporary file
 * opened with bss_log_open and are read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

static char path[64];

static int setup(void **state)
{
    snprintf(path, sizeof(path), "/tmp/bss-test-log-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    bss_log_set_level(BSS_LOG_DEBUG);
    bss_log_set_request_id(NULL);
    return bss_log_open(path) == BSS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    bss_log_open(NULL);
    unlink(path);
    return 0;
}

/* The whole log file, malloc'd (static buffer reused). */
static const char *contents(void)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The log line without its "ts=... " prefix. */
static const char *after_ts(const char *line)
{
    assert_true(strncmp(line, "ts=", 3) == 0);
    assert_int_equal(line[3 + 24], ' ');
    assert_int_equal(line[3 + 23], 'Z');
    return line + 3 + 25;
}

static void test_format(void **state)
{
    bss_log(BSS_LOG_INFO, "http.listen", "addr", "127.0.0.1:8080", "threads", "2", NULL);
    assert_string_equal(after_ts(contents()), "level=info event=http.listen addr=127.0.0.1:8080 threads=2\n");
}

static void test_quoting(void **state)
{
    bss_log(BSS_LOG_WARN, "x", "a", "two words", "b", "say \"hi\"", "c", "k=v", "d", "line1\nline2", "e",
            "back\\slash", "f", "", "g", NULL, "h", "tab\there", "i", "bell\a", NULL);
    assert_string_equal(
        after_ts(contents()),
        "level=warn event=x a=\"two words\" b=\"say \\\"hi\\\"\" c=\"k=v\" "
        "d=\"line1\\nline2\" e=\"back\\\\slash\" f=\"\" g=- h=\"tab\\there\" i=\"bell\\x07\"\n");
}

static void test_levels(void **state)
{
    bss_log_level lv = BSS_LOG_ERROR;
    assert_int_equal(bss_log_level_parse("debug", &lv), BSS_OK);
    assert_int_equal(lv, BSS_LOG_DEBUG);
    assert_int_equal(bss_log_level_parse("info", &lv), BSS_OK);
    assert_int_equal(lv, BSS_LOG_INFO);
    assert_int_equal(bss_log_level_parse("warn", &lv), BSS_OK);
    assert_int_equal(lv, BSS_LOG_WARN);
    assert_int_equal(bss_log_level_parse("error", &lv), BSS_OK);
    assert_int_equal(lv, BSS_LOG_ERROR);
    assert_int_equal(bss_log_level_parse("warning", &lv), BSS_E_INVALID);
    assert_int_equal(bss_log_level_parse("INFO", &lv), BSS_E_INVALID);
    assert_int_equal(bss_log_level_parse("", &lv), BSS_E_INVALID);
    assert_int_equal(bss_log_level_parse(NULL, &lv), BSS_E_INVALID);
    assert_int_equal(lv, BSS_LOG_ERROR);

    bss_log_set_level(BSS_LOG_WARN);
    assert_false(bss_log_enabled(BSS_LOG_DEBUG));
    assert_false(bss_log_enabled(BSS_LOG_INFO));
    assert_true(bss_log_enabled(BSS_LOG_WARN));
    assert_true(bss_log_enabled(BSS_LOG_ERROR));
    bss_log(BSS_LOG_DEBUG, "dropped", NULL);
    bss_log(BSS_LOG_INFO, "dropped", NULL);
    bss_logf(BSS_LOG_INFO, "dropped", "n=%d", 1);
    bss_log(BSS_LOG_ERROR, "kept", NULL);
    bss_log((bss_log_level)9, "bogus", NULL);
    assert_string_equal(after_ts(contents()), "level=error event=kept\n");
}

static void test_request_id(void **state)
{
    bss_log_set_request_id("0190f2c4-8d4e-7abc-9def-0123456789ab");
    bss_log(BSS_LOG_INFO, "a", "k", "v", NULL);
    bss_log_set_request_id(NULL);
    bss_log(BSS_LOG_INFO, "b", NULL);
    const char *all = contents();
    const char *nl = strchr(all, '\n');
    assert_non_null(nl);
    char first[256];
    snprintf(first, sizeof(first), "%.*s", (int)(nl + 1 - all), all);
    assert_string_equal(after_ts(first), "level=info event=a req=0190f2c4-8d4e-7abc-9def-0123456789ab k=v\n");
    assert_string_equal(after_ts(nl + 1), "level=info event=b\n");
    /* the id is copied */
    char id[8] = "abc";
    bss_log_set_request_id(id);
    id[0] = 'X';
    bss_log(BSS_LOG_INFO, "c", NULL);
    assert_non_null(strstr(contents(), "event=c req=abc\n"));
    bss_log_set_request_id(NULL);
}

static void *log_other_thread(void *arg)
{
    bss_log(BSS_LOG_INFO, "other", NULL);
    return NULL;
}

static void test_request_id_per_thread(void **state)
{
    bss_log_set_request_id("main-req");
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, log_other_thread, NULL), 0);
    pthread_join(th, NULL);
    bss_log(BSS_LOG_INFO, "mine", NULL);
    bss_log_set_request_id(NULL);
    const char *all = contents();
    assert_non_null(strstr(all, "event=other\n")); /* the other thread has no request id */
    assert_non_null(strstr(all, "event=mine req=main-req\n"));
}

static void test_logf(void **state)
{
    bss_logf(BSS_LOG_WARN, "db.retry", "attempt=%d backend=%s", 3, "sqlite");
    bss_logf(BSS_LOG_INFO, "empty", "%s", "");
    const char *all = contents();
    const char *second = strchr(all, '\n') + 1;
    static const char want[] = "level=warn event=db.retry attempt=3 backend=sqlite\n";
    assert_memory_equal(after_ts(all), want, sizeof(want) - 1);
    assert_ptr_equal(after_ts(all) + sizeof(want) - 1, second);
    assert_string_equal(after_ts(second), "level=info event=empty\n");
}

static void test_long_lines(void **state)
{
    static char big[20000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    bss_log(BSS_LOG_INFO, "big", "v", big, NULL);
    bss_logf(BSS_LOG_INFO, "bigf", "v=%s", big);
    big[100] = ' '; /* quoted path */
    bss_log(BSS_LOG_INFO, "bigq", "v", big, NULL);
    const char *all = contents();
    int lines = 0;
    for (const char *p = all; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(nl - p + 1 <= 8192);
        assert_memory_equal(nl - 3, "...", 3);
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, 3);
}

static void *writer(void *arg)
{
    for (int i = 0; i < 500; i++)
        bss_log(BSS_LOG_INFO, "t", "thread", (const char *)arg, "pad",
                "0123456789012345678901234567890123456789012345678901234567890123456789", NULL);
    return NULL;
}

static void test_threads(void **state)
{
    static const char *names[4] = {"a", "b", "c", "d"};
    pthread_t th[4];
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)names[t]), 0);
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    const char *all = contents();
    int lines = 0;
    for (const char *p = all; *p; lines++) {
        const char *nl = strchr(p, '\n');
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)(nl + 1 - p), p);
        const char *rest = after_ts(line);
        assert_true(strncmp(rest, "level=info event=t thread=", 26) == 0);
        assert_non_null(
            strstr(rest, " pad=0123456789012345678901234567890123456789012345678901234567890123456789\n"));
        p = nl + 1;
    }
    assert_int_equal(lines, 2000);
}

static void test_open_errors(void **state)
{
    assert_int_equal(bss_log_open("/nonexistent-dir/x/y.log"), BSS_E_IO);
    /* the previous destination is kept */
    bss_log(BSS_LOG_INFO, "still", NULL);
    assert_non_null(strstr(contents(), "event=still"));
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_id_per_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
