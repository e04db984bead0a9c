/*
 * test_server.c: the HTTP server in-process, driven over real sockets with
 * libcurl: /health over HTTP/1.1 and HTTP/2 prior knowledge, the TMF error
 * body and headers of 404, 405 (Allow), 401 (WWW-Authenticate), 403, 413
 * (h2o's own answer rewritten) and malformed JSON (line/column), the key
 * admin API through the group-commit writer (201 + Location, list, revoke
 * 204/404, a revoked key refused within a second), the test clock, the
 * request id, /metrics, and a graceful stop. Also: without --test-clock the
 * clock routes do not exist.
 */
#include <curl/curl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "api/router.h"
#include "api/api.h"
#include "core/mem.h"
#include "db/migrate.h"

typedef struct fixture {
    bss_app app;
    char dir[64];
    char admin[BSS_AUTH_KEY_LEN + 1];
    char reader[BSS_AUTH_KEY_LEN + 1];
    pthread_t tid;
    bss_err run_rc;
} fixture;

typedef struct resp {
    long status;
    char body[65536];
    size_t body_len;
    char headers[8192];
    size_t hdr_len;
} resp;

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    resp *r = arg;
    size_t len = size * n, room = sizeof(r->body) - 1 - r->body_len;
    size_t take = len < room ? len : room;
    memcpy(r->body + r->body_len, p, take);
    r->body_len += take;
    r->body[r->body_len] = '\0';
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    resp *r = arg;
    size_t len = size * n, room = sizeof(r->headers) - 1 - r->hdr_len;
    size_t take = len < room ? len : room;
    memcpy(r->headers + r->hdr_len, p, take);
    r->hdr_len += take;
    r->headers[r->hdr_len] = '\0';
    return len;
}

static long request(fixture *f, const char *method, const char *path, const char *key, const char *body,
                    bool h2, const char *extra_header, resp *r)
{
    char url[700], auth[128];
    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "%s%s", f->app.base_url, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (key != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
        h = curl_slist_append(h, auth);
    }
    if (extra_header != NULL)
        h = curl_slist_append(h, extra_header);
    if (body != NULL && (extra_header == NULL || strncasecmp(extra_header, "content-type:", 13) != 0))
        h = curl_slist_append(h, "Content-Type: application/json"); /* curl's default is a form */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (h2)
        curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    if (body != NULL)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r->status;
}

static bool has_header(const resp *r, const char *line)
{
    return strcasestr(r->headers, line) != NULL;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void *server_main(void *arg)
{
    fixture *f = arg;
    bss_errinfo ei;
    f->run_rc = bss_server_run(&f->app, &ei);
    return NULL;
}

static void add_key(bss_db *db, const char *name, unsigned role, char *key)
{
    bss_api_key row;
    char hash[BSS_AUTH_HASH_HEX_LEN + 1];
    bss_errinfo ei;
    assert_int_equal(bss_auth_key_new(1000, name, role, &row, key, hash, &ei), BSS_OK);
    assert_int_equal(bss_auth_key_insert(db, &row, hash, &ei), BSS_OK);
}

static int setup(void **state)
{
    fixture *f = bss_calloc(1, sizeof(*f));
    bss_errinfo ei;
    snprintf(f->dir, sizeof(f->dir), "/tmp/bss-srvtest-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    bss_config *cfg = &f->app.cfg;
    bss_config_defaults(cfg);
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", f->dir);
    snprintf(cfg->db_url, sizeof(cfg->db_url), "sqlite:%s/bss.db", f->dir);
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->listen_port = free_port();
    cfg->threads = 2;
    cfg->max_body = 1024;
    cfg->test_clock = true;
    bss_clock_init_test(&f->app.clock, 1767225600000); /* 2026-01-01 */
    f->app.dbopt.busy_timeout_ms = 5000;
    f->app.dbopt.retries = 5;
    snprintf(f->app.base_url, sizeof(f->app.base_url), "http://127.0.0.1:%d", cfg->listen_port);

    bss_db *db;
    assert_int_equal(bss_db_open(cfg->db_url, &f->app.dbopt, &db, &ei), BSS_OK);
    assert_int_equal(bss_db_migrate(db, 1, NULL, &ei), BSS_OK);
    add_key(db, "admin", BSS_ROLE_ADMIN, f->admin);
    add_key(db, "reader", BSS_ROLE_READONLY, f->reader);
    bss_db_close(db);
    bss_writer_options wopt = {.window_us = 200, .max_batch = 64, .max_queue = 1000};
    assert_int_equal(bss_writer_start(cfg->db_url, &f->app.dbopt, &wopt, &f->app.writer, &ei), BSS_OK);
    assert_int_equal(pthread_create(&f->tid, NULL, server_main, f), 0);
    resp r;
    for (int i = 0; i < 100 && request(f, "GET", "/health", NULL, NULL, false, NULL, &r) != 200; i++)
        usleep(50000);
    assert_int_equal(r.status, 200);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    fixture *f = *state;
    atomic_store(&f->app.stopping, 1);
    pthread_join(f->tid, NULL);
    assert_int_equal(f->run_rc, BSS_OK);
    bss_writer_stop(f->app.writer);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    bss_free(f);
    return 0;
}

static void test_health(void **state)
{
    fixture *f = *state;
    resp r;
    assert_int_equal(request(f, "GET", "/health", NULL, NULL, false, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    assert_non_null(strstr(r.body, "\"db\":\"sqlite\""));
    assert_true(has_header(&r, "content-type: application/json;charset=utf-8"));
    assert_true(has_header(&r, "x-request-id: "));
    assert_int_equal(request(f, "GET", "/health", NULL, NULL, true, NULL, &r), 200);
    assert_non_null(strstr(r.headers, "HTTP/2 200"));
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    /* a sane incoming request id is echoed */
    assert_int_equal(request(f, "GET", "/health", NULL, NULL, false, "X-Request-Id: trace-42", &r), 200);
    assert_true(has_header(&r, "x-request-id: trace-42"));
}

static void test_errors(void **state)
{
    fixture *f = *state;
    resp r;
    /* without a key nothing tells which routes exist: 401 before 404 and 405 */
    assert_int_equal(request(f, "GET", "/nope?x=1", NULL, NULL, false, NULL, &r), 401);
    assert_int_equal(request(f, "DELETE", "/health", NULL, NULL, true, NULL, &r), 401);
    assert_int_equal(request(f, "GET", "/nope?x=1", f->reader, NULL, false, NULL, &r), 404);
    assert_non_null(strstr(r.body, "\"code\":\"NOT_FOUND\""));
    assert_non_null(strstr(r.body, "\"status\":\"404\""));
    assert_non_null(strstr(r.body, "\"message\":\"no resource at /nope\""));
    assert_non_null(strstr(r.body, "\"referenceError\":\"http://127.0.0.1:"));
    assert_int_equal(request(f, "DELETE", "/health", f->reader, NULL, true, NULL, &r), 405);
    assert_true(has_header(&r, "allow: GET, HEAD"));
    /* HEAD is GET without the body */
    assert_int_equal(request(f, "HEAD", "/health", NULL, NULL, false, NULL, &r), 200);
    assert_string_equal(r.body, "");
    assert_int_equal(request(f, "GET", "/admin/v1/keys", NULL, NULL, false, NULL, &r), 401);
    assert_true(has_header(&r, "www-authenticate: Bearer"));
    assert_non_null(strstr(r.body, "missing API key"));
    assert_int_equal(request(f, "GET", "/admin/v1/keys", "bss_short", NULL, false, NULL, &r), 401);
    assert_non_null(strstr(r.body, "malformed API key"));
    char unknown[BSS_AUTH_KEY_LEN + 1];
    bss_auth_key_generate(unknown);
    assert_int_equal(request(f, "GET", "/admin/v1/keys", unknown, NULL, false, NULL, &r), 401);
    assert_non_null(strstr(r.body, "unknown or revoked API key"));
    assert_int_equal(request(f, "GET", "/admin/v1/keys", f->reader, NULL, false, NULL, &r), 403);
    assert_non_null(strstr(r.body, "\"code\":\"FORBIDDEN\""));
    assert_non_null(strstr(r.body, "the role 'readonly' may not call GET /admin/v1/keys"));
}

static void test_bodies(void **state)
{
    fixture *f = *state;
    resp r;
    char big[2048];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(request(f, "POST", "/admin/v1/keys", f->admin, big, false, NULL, &r), 413);
    assert_non_null(strstr(r.body, "\"code\":\"TOO_BIG\""));
    assert_non_null(strstr(r.body, "larger than 1024 bytes"));
    assert_true(has_header(&r, "content-type: application/json"));
    big[1500] = '\0'; /* over --max-body, under h2o's own cap: our 413 on HTTP/2 too */
    assert_int_equal(request(f, "POST", "/admin/v1/keys", f->admin, big, true, NULL, &r), 413);
    assert_non_null(strstr(r.body, "\"code\":\"TOO_BIG\""));
    assert_int_equal(
        request(f, "POST", "/admin/v1/keys", f->admin, "{\n \"name\": \"x\",\n  ]", false, NULL, &r), 400);
    assert_non_null(strstr(r.body, "\"code\":\"PARSE\""));
    assert_non_null(strstr(r.body, "line 3, column"));
    assert_int_equal(request(f, "POST", "/admin/v1/keys", f->admin, "", false, NULL, &r), 400);
    assert_non_null(strstr(r.body, "the request body is empty"));
    assert_int_equal(request(f, "POST", "/admin/v1/keys", f->admin, "[]", false, NULL, &r), 400);
    assert_non_null(strstr(r.body, "must be a JSON object"));
    assert_int_equal(
        request(f, "POST", "/admin/v1/keys", f->admin, "{\"name\":\"n\",\"role\":\"god\"}", false, NULL, &r),
        400);
    assert_non_null(strstr(r.body, "\"field\":\"role\""));
}

static void test_keys(void **state)
{
    fixture *f = *state;
    resp r;
    assert_int_equal(request(f, "POST", "/admin/v1/keys", f->admin, "{\"name\":\"desk\",\"role\":\"agent\"}",
                             true, NULL, &r),
                     201);
    assert_true(has_header(&r, "location: http://127.0.0.1:"));
    json_t *k = json_loads(r.body, 0, NULL);
    assert_non_null(k);
    char id[64], key[64];
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(k, "id")));
    snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(k, "key")));
    assert_string_equal(json_string_value(json_object_get(k, "role")), "agent");
    assert_string_equal(json_string_value(json_object_get(k, "createdAt")), "2026-01-01T00:00:00.000Z");
    json_decref(k);
    assert_true(bss_auth_key_wellformed(key, strlen(key)));

    assert_int_equal(request(f, "GET", "/admin/v1/keys", f->admin, NULL, false, NULL, &r), 200);
    assert_true(has_header(&r, "x-total-count: 3"));
    assert_null(strstr(r.body, key)); /* never the secret */
    assert_null(strstr(r.body, "\"key\""));

    /* the new key authenticates: an agent on an admin-only route is 403, not 401 */
    assert_int_equal(request(f, "GET", "/admin/v1/keys", key, NULL, false, NULL, &r), 403);
    char path[128];
    snprintf(path, sizeof(path), "/admin/v1/keys/%s", id);
    assert_int_equal(request(f, "DELETE", path, f->admin, NULL, false, NULL, &r), 204);
    assert_int_equal(request(f, "DELETE", path, f->admin, NULL, false, NULL, &r), 404);
    assert_int_equal(request(f, "DELETE", "/admin/v1/keys/not-an-id", f->admin, NULL, false, NULL, &r), 404);
    usleep(1100 * 1000); /* every loop's cache entry has expired */
    assert_int_equal(request(f, "GET", "/admin/v1/keys", key, NULL, false, NULL, &r), 401);
    assert_int_equal(request(f, "GET", "/admin/v1/keys", key, NULL, true, NULL, &r), 401);
}

static void test_clock_and_metrics(void **state)
{
    fixture *f = *state;
    resp r;
    assert_int_equal(request(f, "PUT", "/admin/v1/clock", f->admin, "{\"now\":\"2026-03-01T12:00:00+01:00\"}",
                             false, NULL, &r),
                     200);
    assert_string_equal(r.body, "{\"now\":\"2026-03-01T11:00:00.000Z\"}");
    assert_int_equal(bss_clock_now(&f->app.clock), 1772362800000);
    assert_int_equal(
        request(f, "PUT", "/admin/v1/clock", f->admin, "{\"now\":\"yesterday\"}", false, NULL, &r), 400);
    assert_non_null(strstr(r.body, "\"field\":\"now\""));
    assert_int_equal(
        request(f, "PUT", "/admin/v1/clock", f->reader, "{\"now\":\"2026-01-01\"}", false, NULL, &r), 403);
    assert_int_equal(request(f, "GET", "/admin/v1/clock", f->admin, NULL, false, NULL, &r), 200);
    assert_int_equal(request(f, "GET", "/metrics", NULL, NULL, false, NULL, &r), 200);
    assert_non_null(strstr(r.body, "bss_http_requests_total{route=\"admin.health\",status=\"200\"}"));
    /* the gauge is there; its value may be 1 while a key's "last used" write is queued */
    const char *wq = strstr(r.body, "\nbss_writer_queue ");
    assert_non_null(wq);
    assert_true(wq[strlen("\nbss_writer_queue ")] >= '0' && wq[strlen("\nbss_writer_queue ")] <= '9');
    assert_true(has_header(&r, "content-type: text/plain; version=0.0.4"));
}

static void test_clock_routes_need_flag(void **state)
{
    bss_app app;
    memset(&app, 0, sizeof(app));
    bss_config_defaults(&app.cfg);
    bss_route_match m;
    for (int flag = 0; flag < 2; flag++) {
        app.cfg.test_clock = flag;
        bss_router *rt = bss_router_create();
        assert_int_equal(bss_routes_register_all(rt, &app), BSS_OK);
        bss_err rc = bss_router_match(rt, "PUT", 3, "/admin/v1/clock", 15, &m);
        assert_int_equal(rc, flag ? BSS_OK : BSS_E_NOT_FOUND);
        bss_router_destroy(rt);
    }
}

int main(void)
{
    bss_mem_init();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_clock_and_metrics),
    };
    const struct CMUnitTest offline[] = {cmocka_unit_test(test_clock_routes_need_flag)};
    int failed = cmocka_run_group_tests_name("server", tests, setup, teardown);
    failed += cmocka_run_group_tests_name("routes", offline, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
