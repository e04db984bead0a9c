/*
 * test_config.c: defaults, every value parser and its error message,
 * flags (forms, missing values, unknown options, positional arguments),
 * the environment, config files (found through --config, BSS_CONFIG and
 * <data-dir>/bss.conf; syntax errors with file:line), precedence
 * default < file < env < flags, the derived db URL, and the help table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "core/config.h"
#include "core/mem.h"

static const char *const env_names[] = {
    "BSS_CONFIG",
    "BSS_DATA_DIR",
    "BSS_DB",
    "BSS_LISTEN",
    "BSS_THREADS",
    "BSS_MAX_BODY",
    "BSS_REQUEST_TIMEOUT",
    "BSS_DB_BUSY_TIMEOUT",
    "BSS_DB_RETRIES",
    "BSS_COMMIT_WINDOW",
    "BSS_LOG_LEVEL",
    "BSS_LOG_FILE",
    "BSS_DEMO",
    "BSS_TEST_CLOCK",
    "BSS_TEST_CLOCK_START",
    "BSS_WEBHOOK_TIMEOUT",
    "BSS_WEBHOOK_MAX_ATTEMPTS",
    "BSS_OUTBOX_POLL",
    "BSS_BASE_URL",
};

static char dir[64];
static char conf[128];

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        unsetenv(env_names[i]);
    snprintf(dir, sizeof(dir), "/tmp/bss-test-config-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(conf, sizeof(conf), "%s/bss.conf", dir);
    return 0;
}

static int teardown(void **state)
{
    unlink(conf);
    char other[160];
    snprintf(other, sizeof(other), "%s/other.conf", dir);
    unlink(other);
    rmdir(dir);
    for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        unsetenv(env_names[i]);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_defaults(void **state)
{
    bss_config c;
    memset(&c, 0x5A, sizeof(c));
    bss_config_defaults(&c);
    assert_string_equal(c.data_dir, "./var");
    assert_string_equal(c.db_url, "sqlite:./var/bss.db");
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_int_equal(c.threads, 0);
    assert_int_equal(c.max_body, 1048576);
    assert_int_equal(c.request_timeout_ms, 30000);
    assert_int_equal(c.db_busy_timeout_ms, 5000);
    assert_int_equal(c.db_retries, 5);
    assert_int_equal(c.commit_window_us, 500);
    assert_string_equal(c.log_level, "info");
    assert_string_equal(c.log_file, "");
    assert_false(c.demo);
    assert_false(c.test_clock);
    assert_string_equal(c.test_clock_start, "");
    assert_int_equal(c.webhook_timeout_ms, 5000);
    assert_int_equal(c.webhook_max_attempts, 10);
    assert_int_equal(c.outbox_poll_ms, 200);
    assert_string_equal(c.base_url, "");
}

static void set_ok(bss_config *c, const char *name, const char *value)
{
    bss_errinfo ei;
    if (bss_config_set(c, name, value, &ei) != BSS_OK)
        fail_msg("%s = %s: %s", name, value, ei.message);
}

static void set_bad(const char *name, const char *value, const char *message)
{
    bss_config c, before;
    bss_config_defaults(&c);
    before = c;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_config_set(&c, name, value, &ei), BSS_E_CONFIG);
    assert_int_equal(ei.code, BSS_E_CONFIG);
    assert_string_equal(ei.field, name);
    assert_string_equal(ei.message, message);
    assert_memory_equal(&c, &before, sizeof(c)); /* nothing changed */
}

static void test_set_values(void **state)
{
    bss_config c;
    bss_config_defaults(&c);
    set_ok(&c, "data-dir", "/srv/bss");
    assert_string_equal(c.data_dir, "/srv/bss");
    set_ok(&c, "db", "postgres://u:p#w@localhost/bss");
    assert_string_equal(c.db_url, "postgres://u:p#w@localhost/bss");
    set_ok(&c, "db", "postgresql://localhost/bss");
    set_ok(&c, "db", "sqlite:/tmp/x.db");
    assert_string_equal(c.db_url, "sqlite:/tmp/x.db");
    set_ok(&c, "listen", "0.0.0.0:1");
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 1);
    set_ok(&c, "listen", "localhost:65535");
    assert_string_equal(c.listen_host, "localhost");
    assert_int_equal(c.listen_port, 65535);
    set_ok(&c, "listen", "[::1]:8443");
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 8443);
    set_ok(&c, "threads", "256");
    assert_int_equal(c.threads, 256);
    set_ok(&c, "threads", "0");
    set_ok(&c, "max-body", "1024");
    assert_int_equal(c.max_body, 1024);
    set_ok(&c, "max-body", "1073741824");
    assert_int_equal(c.max_body, INT64_C(1) << 30);
    set_ok(&c, "request-timeout", "1");
    assert_int_equal(c.request_timeout_ms, 1);
    set_ok(&c, "db-busy-timeout", "250");
    assert_int_equal(c.db_busy_timeout_ms, 250);
    set_ok(&c, "db-retries", "0");
    assert_int_equal(c.db_retries, 0);
    set_ok(&c, "commit-window", "0");
    assert_int_equal(c.commit_window_us, 0);
    set_ok(&c, "log-level", "debug");
    assert_string_equal(c.log_level, "debug");
    set_ok(&c, "log-file", "/var/log/bss.log");
    assert_string_equal(c.log_file, "/var/log/bss.log");
    set_ok(&c, "test-clock-start", "2026-01-31T00:00:00Z");
    assert_string_equal(c.test_clock_start, "2026-01-31T00:00:00Z");
    set_ok(&c, "webhook-timeout", "100");
    assert_int_equal(c.webhook_timeout_ms, 100);
    set_ok(&c, "webhook-max-attempts", "1");
    assert_int_equal(c.webhook_max_attempts, 1);
    set_ok(&c, "outbox-poll", "50");
    assert_int_equal(c.outbox_poll_ms, 50);
    set_ok(&c, "base-url", "https://bss.example.com");
    assert_string_equal(c.base_url, "https://bss.example.com");
    static const char *const yes[] = {"true", "1", "yes", "on"}, *const no[] = {"false", "0", "no", "off"};
    for (int i = 0; i < 4; i++) {
        set_ok(&c, "demo", yes[i]);
        assert_true(c.demo);
        set_ok(&c, "demo", no[i]);
        assert_false(c.demo);
        set_ok(&c, "test-clock", yes[i]);
        assert_true(c.test_clock);
    }
}

static void test_set_errors(void **state)
{
    set_bad("listen", "x", "listen: expected HOST:PORT, got 'x'");
    set_bad("listen", ":80", "listen: expected HOST:PORT, got ':80'");
    set_bad("listen", "host:", "listen: expected HOST:PORT with PORT 1..65535, got 'host:'");
    set_bad("listen", "host:0", "listen: expected HOST:PORT with PORT 1..65535, got 'host:0'");
    set_bad("listen", "host:65536", "listen: expected HOST:PORT with PORT 1..65535, got 'host:65536'");
    set_bad("listen", "host:80x", "listen: expected HOST:PORT with PORT 1..65535, got 'host:80x'");
    set_bad("listen", "host:-1", "listen: expected HOST:PORT with PORT 1..65535, got 'host:-1'");
    set_bad("listen", "host:+80", "listen: expected HOST:PORT with PORT 1..65535, got 'host:+80'");
    set_bad("listen", "::1:80",
            "listen: expected HOST:PORT (write IPv6 addresses as [ADDR]:PORT), got '::1:80'");
    set_bad("listen", "[::1]80", "listen: expected HOST:PORT, got '[::1]80'");
    set_bad("listen", "[::1", "listen: expected HOST:PORT, got '[::1'");
    set_bad("listen", "[]:80", "listen: expected HOST:PORT, got '[]:80'");
    set_bad("listen", "a b:80", "listen: expected HOST:PORT, got 'a b:80'");
    set_bad("listen", "", "listen: expected HOST:PORT, got ''");
    set_bad("threads", "257", "threads: expected an integer 0..256, got '257'");
    set_bad("threads", "-1", "threads: expected an integer 0..256, got '-1'");
    set_bad("threads", "", "threads: expected an integer 0..256, got ''");
    set_bad("threads", "two", "threads: expected an integer 0..256, got 'two'");
    set_bad("threads", "1.5", "threads: expected an integer 0..256, got '1.5'");
    set_bad("threads", " 1", "threads: expected an integer 0..256, got ' 1'");
    set_bad("threads", "+1", "threads: expected an integer 0..256, got '+1'");
    set_bad("threads", "99999999999999999999",
            "threads: expected an integer 0..256, got '99999999999999999999'");
    set_bad("max-body", "1023", "max-body: expected an integer 1024..1073741824, got '1023'");
    set_bad("max-body", "1073741825", "max-body: expected an integer 1024..1073741824, got '1073741825'");
    set_bad("request-timeout", "0", "request-timeout: expected an integer 1..3600000, got '0'");
    set_bad("db-busy-timeout", "-5", "db-busy-timeout: expected an integer 1..600000, got '-5'");
    set_bad("db-retries", "101", "db-retries: expected an integer 0..100, got '101'");
    set_bad("commit-window", "100001", "commit-window: expected an integer 0..100000, got '100001'");
    set_bad("webhook-timeout", "0", "webhook-timeout: expected an integer 1..600000, got '0'");
    set_bad("webhook-max-attempts", "0", "webhook-max-attempts: expected an integer 1..1000, got '0'");
    set_bad("outbox-poll", "0", "outbox-poll: expected an integer 1..3600000, got '0'");
    set_bad("log-level", "verbose", "log-level: expected debug, info, warn or error, got 'verbose'");
    set_bad("log-level", "INFO", "log-level: expected debug, info, warn or error, got 'INFO'");
    set_bad("demo", "maybe", "demo: expected true or false, got 'maybe'");
    set_bad("test-clock", "", "test-clock: expected true or false, got ''");
    set_bad("db", "sqlite:", "db: expected sqlite:PATH or postgres://..., got 'sqlite:'");
    set_bad("db", "mysql://x", "db: expected sqlite:PATH or postgres://..., got 'mysql://x'");
    set_bad("db", "", "db: expected sqlite:PATH or postgres://..., got ''");
    set_bad("base-url", "ftp://x", "base-url: expected http://... or https://..., got 'ftp://x'");
    set_bad("test-clock-start", "2026-02-30",
            "test-clock-start: expected an RFC 3339 time like 2026-01-01T00:00:00Z, got '2026-02-30'");
    set_bad("config", "x.conf", "config: only allowed as --config or BSS_CONFIG, got 'x.conf'");
    char long_dir[700];
    memset(long_dir, 'd', sizeof(long_dir) - 1);
    long_dir[sizeof(long_dir) - 1] = '\0';
    char want[256];
    snprintf(want, sizeof(want), "data-dir: too long, got '%.80s...'", long_dir);
    set_bad("data-dir", long_dir, want);

    bss_config c;
    bss_config_defaults(&c);
    bss_errinfo ei;
    assert_int_equal(bss_config_set(&c, "foo", "1", &ei), BSS_E_CONFIG);
    assert_string_equal(ei.field, "foo");
    assert_string_equal(ei.message, "unknown option 'foo'");
    assert_int_equal(bss_config_set(&c, "threads", "x", NULL), BSS_E_CONFIG);
}

static bss_err load(bss_config *c, bss_errinfo *ei, int *rest_argc, char ***rest_argv, ...)
{
    static char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, rest_argv);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    bss_config_defaults(c);
    bss_errinfo_clear(ei);
    return bss_config_load(c, argc, argv, rest_argc, rest_argv, ei);
}

static void load_bad(const char *field, const char *message, bss_err got, const bss_errinfo *ei)
{
    assert_int_equal(got, BSS_E_CONFIG);
    assert_int_equal(ei->code, BSS_E_CONFIG);
    assert_string_equal(ei->field, field);
    assert_string_equal(ei->message, message);
}

static void test_flags(void **state)
{
    bss_config c;
    bss_errinfo ei;
    int rest_argc = -1;
    char **rest_argv = NULL;
    char dd[128];
    snprintf(dd, sizeof(dd), "--data-dir=%s", dir);
    assert_int_equal(load(&c, &ei, &rest_argc, &rest_argv, "--listen", "10.0.0.1:9000", "first", dd,
                          "--threads=4", "--demo", "second", "--test-clock=no", "--", "--not-a-flag", NULL),
                     BSS_OK);
    assert_string_equal(c.listen_host, "10.0.0.1");
    assert_int_equal(c.listen_port, 9000);
    assert_string_equal(c.data_dir, dir);
    assert_int_equal(c.threads, 4);
    assert_true(c.demo);
    assert_false(c.test_clock);
    char db[160];
    snprintf(db, sizeof(db), "sqlite:%s/bss.db", dir);
    assert_string_equal(c.db_url, db); /* follows data-dir */
    assert_int_equal(rest_argc, 3);
    assert_string_equal(rest_argv[0], "first");
    assert_string_equal(rest_argv[1], "second");
    assert_string_equal(rest_argv[2], "--not-a-flag");

    /* the last flag wins; an explicit db is kept */
    assert_int_equal(
        load(&c, &ei, NULL, NULL, "--threads", "1", "--threads", "2", "--db", "postgres://h/x", dd, NULL),
        BSS_OK);
    assert_int_equal(c.threads, 2);
    assert_string_equal(c.db_url, "postgres://h/x");
    assert_int_equal(load(&c, &ei, NULL, NULL, NULL), BSS_OK);
    assert_string_equal(c.db_url, "sqlite:./var/bss.db");
}

static void test_flag_errors(void **state)
{
    bss_config c;
    bss_errinfo ei;
    int n;
    char **rest;
    load_bad("listen", "listen: expected HOST:PORT, got 'x' (--listen)",
             load(&c, &ei, NULL, NULL, "--listen", "x", NULL), &ei);
    load_bad("threads", "threads: expected an integer 0..256, got '1000' (--threads)",
             load(&c, &ei, NULL, NULL, "--threads=1000", NULL), &ei);
    load_bad("foo", "unknown option 'foo' (command line)", load(&c, &ei, NULL, NULL, "--foo", NULL), &ei);
    load_bad("foo", "unknown option 'foo' (command line)", load(&c, &ei, NULL, NULL, "--foo=bar", NULL), &ei);
    load_bad("x", "unknown option 'x' (options start with --)", load(&c, &ei, &n, &rest, "-x", NULL), &ei);
    load_bad("", "unknown option '' (command line)", load(&c, &ei, &n, &rest, "--=3", NULL), &ei);
    load_bad("listen", "listen: missing value (--listen HOST:PORT)",
             load(&c, &ei, NULL, NULL, "--listen", NULL), &ei);
    load_bad("demo", "demo: expected true or false, got 'maybe' (--demo)",
             load(&c, &ei, NULL, NULL, "--demo=maybe", NULL), &ei);
    load_bad("", "unexpected argument 'extra'", load(&c, &ei, NULL, NULL, "--demo", "extra", NULL), &ei);
    load_bad("config", "config: cannot read '/nonexistent/bss.conf': No such file or directory",
             load(&c, &ei, NULL, NULL, "--config", "/nonexistent/bss.conf", NULL), &ei);
    /* "-" alone is an argument, not a flag */
    assert_int_equal(load(&c, &ei, &n, &rest, "-", NULL), BSS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rest[0], "-");
}

static void test_env(void **state)
{
    bss_config c;
    bss_errinfo ei;
    setenv("BSS_THREADS", "3", 1);
    setenv("BSS_DEMO", "yes", 1);
    setenv("BSS_LISTEN", "[::]:8081", 1);
    setenv("BSS_DATA_DIR", dir, 1);
    setenv("BSS_LOG_FILE", "", 1);
    assert_int_equal(load(&c, &ei, NULL, NULL, NULL), BSS_OK);
    assert_int_equal(c.threads, 3);
    assert_true(c.demo);
    assert_string_equal(c.listen_host, "::");
    assert_int_equal(c.listen_port, 8081);
    assert_string_equal(c.data_dir, dir);
    char db[160];
    snprintf(db, sizeof(db), "sqlite:%s/bss.db", dir);
    assert_string_equal(c.db_url, db);
    /* flags beat the environment */
    assert_int_equal(load(&c, &ei, NULL, NULL, "--threads", "7", "--demo=false", NULL), BSS_OK);
    assert_int_equal(c.threads, 7);
    assert_false(c.demo);

    setenv("BSS_THREADS", "lots", 1);
    load_bad("threads", "threads: expected an integer 0..256, got 'lots' (BSS_THREADS)",
             load(&c, &ei, NULL, NULL, NULL), &ei);
    unsetenv("BSS_THREADS");
    setenv("BSS_DB", "mysql://x", 1);
    load_bad("db", "db: expected sqlite:PATH or postgres://..., got 'mysql://x' (BSS_DB)",
             load(&c, &ei, NULL, NULL, NULL), &ei);
    setenv("BSS_DB", "postgres://db/bss", 1);
    assert_int_equal(load(&c, &ei, NULL, NULL, NULL), BSS_OK);
    assert_string_equal(c.db_url, "postgres://db/bss");
}

static void test_file(void **state)
{
    bss_config c;
    bss_errinfo ei;
    char dd[128];
    snprintf(dd, sizeof(dd), "--data-dir=%s", dir);
    write_file(conf, "# bss settings\n"
                     "\n"
                     "threads = 2\n"
                     "  listen=127.0.0.2:7000  \r\n"
                     "log-file = \"/tmp/with space.log\"\n"
                     "db = postgres://u:p#1@h/bss\n"
                     "demo = on\n");
    /* found as <data-dir>/bss.conf, data-dir from the flag */
    assert_int_equal(load(&c, &ei, NULL, NULL, dd, NULL), BSS_OK);
    assert_int_equal(c.threads, 2);
    assert_string_equal(c.listen_host, "127.0.0.2");
    assert_int_equal(c.listen_port, 7000);
    assert_string_equal(c.log_file, "/tmp/with space.log");
    assert_string_equal(c.db_url, "postgres://u:p#1@h/bss");
    assert_true(c.demo);
    /* precedence: default < file < env < flags */
    setenv("BSS_THREADS", "3", 1);
    assert_int_equal(load(&c, &ei, NULL, NULL, dd, NULL), BSS_OK);
    assert_int_equal(c.threads, 3);
    assert_int_equal(load(&c, &ei, NULL, NULL, dd, "--threads", "4", NULL), BSS_OK);
    assert_int_equal(c.threads, 4);
    unsetenv("BSS_THREADS");
    /* data-dir from the environment finds the file too */
    setenv("BSS_DATA_DIR", dir, 1);
    assert_int_equal(load(&c, &ei, NULL, NULL, NULL), BSS_OK);
    assert_int_equal(c.threads, 2);
    unsetenv("BSS_DATA_DIR");
    /* without data-dir pointing there, the file is not read (./var/bss.conf does not exist here) */
    if (access("./var/bss.conf", F_OK) != 0) {
        assert_int_equal(load(&c, &ei, NULL, NULL, NULL), BSS_OK);
        assert_int_equal(c.threads, 0);
    }

    /* --config and BSS_CONFIG name another file; <data-dir>/bss.conf is then ignored */
    char other[160], cf[200];
    snprintf(other, sizeof(other), "%s/other.conf", dir);
    snprintf(cf, sizeof(cf), "--config=%s", other);
    write_file(other, "threads = 9\ndata-dir = /srv/elsewhere\n");
    assert_int_equal(load(&c, &ei, NULL, NULL, dd, cf, NULL), BSS_OK);
    assert_int_equal(c.threads, 9);
    assert_string_equal(c.data_dir, dir); /* the flag beats the file */
    char db[160];
    snprintf(db, sizeof(db), "sqlite:%s/bss.db", dir);
    assert_string_equal(c.db_url, db);
    setenv("BSS_CONFIG", other, 1);
    assert_int_equal(load(&c, &ei, NULL, NULL, NULL), BSS_OK);
    assert_int_equal(c.threads, 9);
    assert_string_equal(c.data_dir, "/srv/elsewhere");
    assert_string_equal(c.db_url, "sqlite:/srv/elsewhere/bss.db"); /* db follows the file's data-dir */
    unsetenv("BSS_CONFIG");
}

/* message has one %s, replaced by the config file's path. */
static void file_bad(const char *text, const char *field, const char *message)
{
    bss_config c;
    bss_errinfo ei;
    char cf[200], want[512];
    snprintf(cf, sizeof(cf), "--config=%s", conf);
    write_file(conf, text);
    const char *at = strstr(message, "%s");
    assert_non_null(at);
    snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - message), message, conf, at + 2);
    load_bad(field, want, load(&c, &ei, NULL, NULL, cf, NULL), &ei);
}

static void test_file_errors(void **state)
{
    file_bad("threads = 2\n# ok\nfoo = 1\n", "foo", "unknown option 'foo' (%s:3)");
    file_bad("listen = x\n", "listen", "listen: expected HOST:PORT, got 'x' (%s:1)");
    file_bad("\n\nthreads\n", "", "expected 'name = value', got 'threads' (%s:3)");
    file_bad("max-body = 12\n", "max-body",
             "max-body: expected an integer 1024..1073741824, got '12' (%s:1)");
    file_bad("demo =\n", "demo", "demo: expected true or false, got '' (%s:1)");
    file_bad("config = /x\n", "config", "config: only allowed as --config or BSS_CONFIG, got '/x' (%s:1)");
    file_bad(" = 5\n", "", "unknown option '' (%s:1)");
    /* a file error stops loading even when a flag would fix the value */
    bss_config c;
    bss_errinfo ei;
    char dd[128];
    snprintf(dd, sizeof(dd), "--data-dir=%s", dir);
    write_file(conf, "threads = 999\n");
    char want[256];
    snprintf(want, sizeof(want), "threads: expected an integer 0..256, got '999' (%s:1)", conf);
    load_bad("threads", want, load(&c, &ei, NULL, NULL, dd, "--threads", "1", NULL), &ei);
    /* an over-long line */
    FILE *f = fopen(conf, "w");
    fputs("log-file = ", f);
    for (int i = 0; i < 5000; i++)
        fputc('a', f);
    fputs("\n", f);
    fclose(f);
    snprintf(want, sizeof(want), "line too long (%s:1)", conf);
    load_bad("", want, load(&c, &ei, NULL, NULL, dd, NULL), &ei);
    /* a directory where the file should be */
    char cf[200];
    snprintf(cf, sizeof(cf), "--config=%s", dir);
    assert_int_equal(load(&c, &ei, NULL, NULL, cf, NULL), BSS_E_CONFIG);
    assert_string_equal(ei.field, "config");
}

static void test_help(void **state)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    bss_config_print_help(out);
    fclose(out);
    static const char *const names[] = {"--config FILE",
                                        "--data-dir DIR",
                                        "--db URL",
                                        "--listen HOST:PORT",
                                        "--threads N",
                                        "--max-body BYTES",
                                        "--request-timeout MS",
                                        "--db-busy-timeout MS",
                                        "--db-retries N",
                                        "--commit-window US",
                                        "--log-level LEVEL",
                                        "--log-file FILE",
                                        "--demo ",
                                        "--test-clock ",
                                        "--test-clock-start TIME",
                                        "--webhook-timeout MS",
                                        "--webhook-max-attempts N",
                                        "--outbox-poll MS",
                                        "--base-url URL"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strstr(text, names[i]) == NULL)
            fail_msg("help lacks %s:\n%s", names[i], text);
    for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        assert_non_null(strstr(text, env_names[i]));
    assert_non_null(strstr(text, "127.0.0.1:8080"));
    assert_non_null(strstr(text, "1048576"));
    /* a table: every row is as wide up to the help column */
    const char *row = strstr(text, "  --data-dir"), *row2 = strstr(text, "  --threads");
    assert_ptr_not_equal(strstr(row, "./var"), NULL);
    assert_int_equal(strstr(row, "where the store") - row, strstr(row2, "event loops") - row2);
    free(text);
}

int main(void)
{
    bss_mem_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    assert_int_equal(bss_mem_used(), 0);
    return rc;
}
