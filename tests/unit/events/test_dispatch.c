/*
 * test_dispatch.c: the event dispatcher (src/events/dispatch.c) against
 * tiny HTTP receivers started inside the test on loopback ports (plain
 * sockets, one request per connection, answered 200, 500, or never):
 * delivery to {callback}/listener/{eventType}, the envelope as body, retry
 * after a 500, dead after the last attempt, failures recorded, a hung
 * receiver not delaying a healthy one, kick, and in-flight deliveries given
 * back on stop. Runs on SQLite and, via db/dbtest.h, on PostgreSQL.
 */
#include "db/dbtest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "app.h"
#include "core/json.h"
#include "core/time.h"
#include "db/migrate.h"
#include "events/events.h"
#include "events/events_int.h"

#define API "productCatalogManagement"
#define T0 INT64_C(1795305600000)
#define MAX_REQ 64

enum { ANSWER_200, ANSWER_500_FIRST, ANSWER_NEVER };

typedef struct receiver {
    int listen_fd;
    int port;
    int mode;
    int fail_first; /* ANSWER_500_FIRST: this many 500s, then 200s */
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t mu;
    int nreq;
    char paths[MAX_REQ][160];
    char content_type[MAX_REQ][64];
    char authorization[MAX_REQ][128];
    char *bodies[MAX_REQ];
    int64_t at_ms[MAX_REQ];
    int held[MAX_REQ];
    int nheld;
} receiver;

/* Reads one request (headers and Content-Length body) from fd and records it. */
static void serve_one(receiver *rc, int fd)
{
    char buf[65536];
    size_t len = 0;
    char *eoh = NULL;
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (!eoh && len < sizeof buf - 1) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        eoh = strstr(buf, "\r\n\r\n");
    }
    if (!eoh) {
        close(fd);
        return;
    }
    long long clen = 0;
    char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (cl)
        clen = strtoll(cl + 17, NULL, 10);
    size_t want = (size_t)(eoh + 4 - buf) + (size_t)clen;
    while (len < want && len < sizeof buf - 1) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    pthread_mutex_lock(&rc->mu);
    int i = rc->nreq;
    if (i < MAX_REQ) {
        char *sp1 = strchr(buf, ' ');
        char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (sp1 && sp2)
            snprintf(rc->paths[i], sizeof rc->paths[i], "%.*s", (int)(sp2 - sp1 - 1), sp1 + 1);
        char *ct = strcasestr(buf, "\r\nContent-Type:");
        if (ct)
            snprintf(rc->content_type[i], sizeof rc->content_type[i], "%.*s", (int)strcspn(ct + 16, "\r"),
                     ct + 16);
        char *au = strcasestr(buf, "\r\nAuthorization:");
        if (au && au < eoh)
            snprintf(rc->authorization[i], sizeof rc->authorization[i], "%.*s", (int)strcspn(au + 17, "\r"),
                     au + 17);
        rc->bodies[i] = bss_strdup(eoh + 4);
        rc->at_ms[i] = bss_monotonic_ms();
        rc->nreq++;
    }
    bool fail = rc->mode == ANSWER_500_FIRST && i < rc->fail_first;
    if (rc->mode == ANSWER_NEVER && rc->nheld < MAX_REQ) {
        rc->held[rc->nheld++] = fd;
        pthread_mutex_unlock(&rc->mu);
        return;
    }
    pthread_mutex_unlock(&rc->mu);
    const char *answer =
        fail ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops"
             : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ssize_t w = send(fd, answer, strlen(answer), MSG_NOSIGNAL);
    (void)w;
    close(fd);
}

static void *receiver_main(void *arg)
{
    receiver *rc = arg;
    while (!atomic_load(&rc->stop)) {
        struct pollfd pfd = {.fd = rc->listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        int fd = accept(rc->listen_fd, NULL, NULL);
        if (fd >= 0)
            serve_one(rc, fd);
    }
    return NULL;
}

static receiver *receiver_start(int mode, int fail_first)
{
    receiver *rc = bss_calloc(1, sizeof *rc);
    rc->mode = mode;
    rc->fail_first = fail_first;
    pthread_mutex_init(&rc->mu, NULL);
    rc->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(rc->listen_fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(rc->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(rc->listen_fd, 64), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(rc->listen_fd, (struct sockaddr *)&sa, &sl), 0);
    rc->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&rc->thread, NULL, receiver_main, rc), 0);
    return rc;
}

static void receiver_stop(receiver *rc)
{
    atomic_store(&rc->stop, true);
    pthread_join(rc->thread, NULL);
    close(rc->listen_fd);
    for (int i = 0; i < rc->nheld; i++)
        close(rc->held[i]);
    for (int i = 0; i < rc->nreq && i < MAX_REQ; i++)
        bss_free(rc->bodies[i]);
    pthread_mutex_destroy(&rc->mu);
    bss_free(rc);
}

static int receiver_count(receiver *rc)
{
    pthread_mutex_lock(&rc->mu);
    int n = rc->nreq;
    pthread_mutex_unlock(&rc->mu);
    return n;
}

/* Waits up to ms for rc to have received n requests. */
static bool wait_requests(receiver *rc, int n, int64_t ms)
{
    int64_t until = bss_monotonic_ms() + ms;
    while (receiver_count(rc) < n && bss_monotonic_ms() < until)
        usleep(5000);
    return receiver_count(rc) >= n;
}

/* ---- store helpers ---- */

static void apply_events_schema(bss_db *db)
{
    bss_errinfo ei;
    for (size_t i = 0; i < bss_migrations_count; i++)
        if (strcmp(bss_migrations[i].name, "events") == 0 || strcmp(bss_migrations[i].name, "hub_credentials") == 0)
            if (bss_db_exec_script(db, bss_migrations[i].sql, &ei) != BSS_OK)
                fail_msg("migration: %s", ei.message);
}

static void add_sub(bss_db *db, const char *id, receiver *rc, const char *query)
{
    char cb[128];
    snprintf(cb, sizeof cb, "http://127.0.0.1:%d/cb/", rc ? rc->port : 1);
    bss_errinfo ei;
    if (bss_db_exec(
            db, "INSERT INTO hub_subscription (id, api, callback, query, created_ms) VALUES (?, ?, ?, ?, 0)",
            BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(API), EV_TEXT(cb), BSS_DB_STR(query)), NULL,
            &ei) != BSS_OK)
        fail_msg("add_sub: %s", ei.message);
}

static void add_events(bss_db *db, const char *const *types, size_t n)
{
    bss_errinfo ei;
    assert_int_equal(bss_db_begin(db, &ei), BSS_OK);
    for (size_t i = 0; i < n; i++) {
        json_t *cat = json_pack("{s:s, s:i}", "id", "cat-1", "seq", (int)i);
        if (bss_outbox_add(db, T0, API, types[i], "category", cat, &ei) != BSS_OK)
            fail_msg("outbox_add: %s", ei.message);
        json_decref(cat);
    }
    assert_int_equal(bss_db_commit(db, &ei), BSS_OK);
}

typedef struct delivery_row {
    char status[16];
    int64_t attempts, next_attempt_ms, last_status;
    bool last_status_null;
    char last_error[256];
} delivery_row;

/* The delivery of sub's n-th event (in id order). */
static void get_delivery(bss_db *db, const char *sub, int nth, delivery_row *out)
{
    bss_db_rows *rows;
    bss_errinfo ei;
    memset(out, 0, sizeof *out);
    assert_int_equal(
        bss_db_query(db,
                     "SELECT status, attempts, next_attempt_ms, last_status, last_error FROM event_delivery "
                     "WHERE subscription_id = ? ORDER BY event_id",
                     BSS_DB_ARGS(BSS_DB_STR(sub)), &rows, &ei),
        BSS_OK);
    for (int i = 0; i <= nth; i++)
        assert_true(bss_db_next(rows));
    snprintf(out->status, sizeof out->status, "%s", bss_db_col_text(rows, 0, NULL));
    out->attempts = bss_db_col_int64(rows, 1);
    out->next_attempt_ms = bss_db_col_int64(rows, 2);
    out->last_status_null = bss_db_col_null(rows, 3);
    out->last_status = bss_db_col_int64(rows, 3);
    const char *err = bss_db_col_text(rows, 4, NULL);
    snprintf(out->last_error, sizeof out->last_error, "%s", err ? err : "");
    bss_db_rows_close(rows);
}

/* Waits up to ms for sub's n-th delivery to reach status. */
static bool wait_status(bss_db *db, const char *sub, int nth, const char *status, int64_t ms)
{
    int64_t until = bss_monotonic_ms() + ms;
    delivery_row d;
    for (;;) {
        get_delivery(db, sub, nth, &d);
        if (strcmp(d.status, status) == 0)
            return true;
        if (bss_monotonic_ms() >= until)
            return false;
        usleep(5000);
    }
}

static bool wait_backlog(bss_events *ev, int64_t n, int64_t ms)
{
    int64_t until = bss_monotonic_ms() + ms;
    while (bss_events_backlog(ev) != n && bss_monotonic_ms() < until)
        usleep(5000);
    return bss_events_backlog(ev) == n;
}

static void app_init(bss_app *app, dbtest_env *env, int64_t timeout_ms, int max_attempts)
{
    memset(app, 0, sizeof *app);
    size_t n = strlen(env->url);
    assert_true(n < sizeof app->cfg.db_url);
    memcpy(app->cfg.db_url, env->url, n + 1);
    app->cfg.outbox_poll_ms = 20;
    app->cfg.webhook_timeout_ms = timeout_ms;
    app->cfg.webhook_max_attempts = max_attempts;
    app->dbopt.busy_timeout_ms = 5000;
    app->dbopt.retries = 5;
    bss_clock_init_test(&app->clock, T0);
    bss_errinfo ei;
    assert_int_equal(bss_netallow_parse("127.0.0.0/8", &app->webhook_allow, &ei), BSS_OK); /* the receivers */
    app->secrets.set = true;
    randombytes_buf(app->secrets.k, sizeof app->secrets.k);
}

static bss_events *start(bss_app *app, int64_t backoff_unit_ms)
{
    bss_events *ev = NULL;
    bss_errinfo ei;
    if (bss_events_start(app, &ev, &ei) != BSS_OK)
        fail_msg("events_start: %s", ei.message);
    bss__events_set_backoff_unit(ev, backoff_unit_ms);
    bss_events_kick(ev);
    return ev;
}

/* ---- tests ---- */

static void test_delivers_envelope_to_listener(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    receiver *rc = receiver_start(ANSWER_200, 0);
    add_sub(env->db, "s1", rc, "");
    const char *types[] = {"CategoryCreateEvent", "CategoryDeleteEvent"};
    add_events(env->db, types, 2);
    bss_app app;
    app_init(&app, env, 2000, 3);
    bss_events *ev = start(&app, 1000);

    assert_true(wait_status(env->db, "s1", 0, "delivered", 5000));
    assert_true(wait_status(env->db, "s1", 1, "delivered", 5000));
    assert_true(wait_backlog(ev, 0, 2000));
    assert_int_equal(receiver_count(rc), 2);
    /* one in flight per subscription: delivered in event order */
    assert_string_equal(rc->paths[0], "/cb/listener/categoryCreateEvent");
    assert_string_equal(rc->paths[1], "/cb/listener/categoryDeleteEvent");
    assert_string_equal(rc->content_type[0], "application/json");
    json_t *body = NULL;
    bss_errinfo ei;
    assert_int_equal(bss_json_parse(rc->bodies[0], strlen(rc->bodies[0]), &body, &ei), BSS_OK);
    assert_string_equal(json_string_value(json_object_get(body, "eventType")), "CategoryCreateEvent");
    assert_string_equal(json_string_value(json_object_get(body, "domain")), API);
    assert_string_equal(json_string_value(bss_json_path(body, "event.category.id")), "cat-1");
    int64_t n = 0;
    assert_int_equal(
        bss_db_query_int64(env->db, "SELECT COUNT(*) FROM outbox WHERE id = ? AND event_type = ?",
                           BSS_DB_ARGS(BSS_DB_STR(json_string_value(json_object_get(body, "eventId"))),
                                       BSS_DB_STR("CategoryCreateEvent")),
                           &n, &ei),
        BSS_OK);
    assert_int_equal(n, 1);
    json_decref(body);
    delivery_row d;
    get_delivery(env->db, "s1", 0, &d);
    assert_int_equal(d.attempts, 1);
    assert_int_equal(d.last_status, 200);
    assert_string_equal(d.last_error, "");

    /* an event committed while running goes out on kick */
    const char *more[] = {"CategoryAttributeValueChangeEvent"};
    add_events(env->db, more, 1);
    bss_events_kick(ev);
    assert_true(wait_requests(rc, 3, 5000));
    assert_string_equal(rc->paths[2], "/cb/listener/categoryAttributeValueChangeEvent");
    assert_true(wait_status(env->db, "s1", 2, "delivered", 5000));
    bss_events_stop(ev);
    receiver_stop(rc);
}

static void test_retry_after_500(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    receiver *rc = receiver_start(ANSWER_500_FIRST, 1);
    add_sub(env->db, "s1", rc, "eventType=CategoryCreateEvent");
    const char *types[] = {"CategoryCreateEvent"};
    add_events(env->db, types, 1);
    bss_app app;
    app_init(&app, env, 2000, 5);
    bss_events *ev = start(&app, 10);
    assert_true(wait_status(env->db, "s1", 0, "delivered", 5000));
    bss_events_stop(ev);
    assert_int_equal(receiver_count(rc), 2);
    assert_string_equal(rc->paths[1], "/cb/listener/categoryCreateEvent");
    assert_string_equal(rc->bodies[0], rc->bodies[1]); /* the same envelope, same eventId */
    assert_true(rc->at_ms[1] - rc->at_ms[0] >= 20);    /* 2^1 units of backoff */
    delivery_row d;
    get_delivery(env->db, "s1", 0, &d);
    assert_int_equal(d.attempts, 2);
    assert_int_equal(d.last_status, 200);
    receiver_stop(rc);
}

static void test_dead_after_max_attempts(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    receiver *rc = receiver_start(ANSWER_500_FIRST, 1000);
    add_sub(env->db, "s1", rc, "");
    const char *types[] = {"CategoryCreateEvent"};
    add_events(env->db, types, 1);
    bss_app app;
    app_init(&app, env, 2000, 3);
    bss_events *ev = start(&app, 5);
    assert_true(wait_status(env->db, "s1", 0, "dead", 5000));
    assert_true(wait_backlog(ev, 0, 2000));
    usleep(100000);
    assert_int_equal(receiver_count(rc), 3);
    bss_events_stop(ev);
    delivery_row d;
    get_delivery(env->db, "s1", 0, &d);
    assert_int_equal(d.attempts, 3);
    assert_int_equal(d.last_status, 500);
    assert_string_equal(d.last_error, "HTTP 500");
    receiver_stop(rc);
}

static void test_refused_connection_is_recorded(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    add_sub(env->db, "s1", NULL, ""); /* port 1: nothing listens */
    const char *types[] = {"CategoryCreateEvent"};
    add_events(env->db, types, 1);
    bss_app app;
    app_init(&app, env, 1000, 10);
    int64_t before = bss__events_wall_ms();
    bss_events *ev = start(&app, 1000);
    delivery_row d;
    int64_t until = bss_monotonic_ms() + 5000;
    do {
        usleep(5000);
        get_delivery(env->db, "s1", 0, &d);
    } while (d.attempts == 0 && bss_monotonic_ms() < until);
    assert_true(wait_backlog(ev, 1, 2000));
    bss_events_stop(ev);
    assert_int_equal(d.attempts, 1);
    assert_string_equal(d.status, "pending");
    assert_true(d.last_status_null);
    assert_true(strlen(d.last_error) > 0);
    /* first retry after 2 s (+ up to 25% jitter), on the wall clock */
    assert_true(d.next_attempt_ms >= before + 2000);
    assert_true(d.next_attempt_ms <= bss__events_wall_ms() + 2500);
}

static void test_hung_receiver_does_not_delay_healthy(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    receiver *hung = receiver_start(ANSWER_NEVER, 0);
    receiver *good = receiver_start(ANSWER_200, 0);
    add_sub(env->db, "a-hung", hung, "");
    add_sub(env->db, "b-good", good, "");
    const char *types[] = {"CategoryCreateEvent", "CategoryAttributeValueChangeEvent", "CategoryDeleteEvent"};
    add_events(env->db, types, 3);
    bss_app app;
    app_init(&app, env, 4000, 3);
    int64_t t0 = bss_monotonic_ms();
    bss_events *ev = start(&app, 1000);
    assert_true(wait_requests(good, 3, 3000));
    int64_t took = bss_monotonic_ms() - t0;
    assert_true(took < 2000); /* well under the hung callback's 4 s timeout */
    assert_true(wait_status(env->db, "b-good", 2, "delivered", 2000));
    assert_true(wait_requests(hung, 1, 2000));
    assert_true(wait_backlog(ev, 3, 2000));    /* the hung subscriber still owes all three */
    assert_int_equal(receiver_count(hung), 1); /* one in flight per subscription */

    /* stopping gives the in-flight delivery back: due again, attempt not counted */
    bss_events_stop(ev);
    delivery_row d;
    get_delivery(env->db, "a-hung", 0, &d);
    assert_string_equal(d.status, "pending");
    assert_int_equal(d.attempts, 0);
    assert_int_equal(d.next_attempt_ms, 0);
    receiver_stop(hung);
    receiver_stop(good);
}

static int64_t count_rows(bss_db *db, const char *sql)
{
    int64_t n = -1;
    bss_errinfo ei;
    assert_int_equal(bss_db_query_int64(db, sql, BSS_DB_NOARGS, &n, &ei), BSS_OK);
    return n;
}

/* Retention: ended deliveries and served events go after --event-retention-days; pending ones stay. */
static void test_sweep_keeps_pending_and_recent(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    receiver *rc = receiver_start(ANSWER_200, 0);
    add_sub(env->db, "s1", rc, "");
    const char *types[] = {"CategoryCreateEvent"};
    add_events(env->db, types, 1);
    bss_app app;
    app_init(&app, env, 2000, 3);
    app.cfg.event_retention_days = 7;
    bss_events *ev = start(&app, 5);
    assert_true(wait_status(env->db, "s1", 0, "delivered", 5000));
    /* a second subscriber whose delivery is still pending (never due: far-future retry) */
    bss_errinfo ei;
    assert_int_equal(
        bss_db_exec(env->db,
                    "INSERT INTO event_delivery (subscription_id, event_id, status, next_attempt_ms) "
                    "SELECT 's2', id, 'pending', 9000000000000000 FROM outbox",
                    BSS_DB_NOARGS, NULL, &ei),
        BSS_OK);
    int64_t now = bss__events_wall_ms();
    bss__events_sweep(ev, now); /* nothing is old yet */
    assert_int_equal(count_rows(env->db, "SELECT COUNT(*) FROM event_delivery"), 2);
    bss__events_sweep(ev, now + 8 * BSS_MS_PER_DAY);
    /* the delivered row is gone; the event stays while s2 still waits for it */
    assert_int_equal(count_rows(env->db, "SELECT COUNT(*) FROM event_delivery WHERE status = 'delivered'"),
                     0);
    assert_int_equal(count_rows(env->db, "SELECT COUNT(*) FROM event_delivery WHERE status = 'pending'"), 1);
    assert_int_equal(count_rows(env->db, "SELECT COUNT(*) FROM outbox"), 1);
    assert_int_equal(bss_db_exec(env->db, "UPDATE event_delivery SET status = 'dead', updated_ms = 1",
                                 BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    bss__events_sweep(ev, now + 8 * BSS_MS_PER_DAY);
    assert_int_equal(count_rows(env->db, "SELECT COUNT(*) FROM event_delivery"), 0);
    assert_int_equal(count_rows(env->db, "SELECT COUNT(*) FROM outbox"), 0);
    bss_events_stop(ev);
    receiver_stop(rc);
}

/* The default policy (public addresses only) refuses the loopback receiver at connect time: nothing arrives. */
static void test_policy_refuses_private_addresses(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    receiver *rc = receiver_start(ANSWER_200, 0);
    add_sub(env->db, "s1", rc, "");
    bss_errinfo ei;
    char cb[128];
    /* a name the policy cannot judge before DNS: judged by the address it resolves to */
    snprintf(cb, sizeof cb, "http://localhost:%d/cb/", rc->port);
    assert_int_equal(bss_db_exec(env->db,
                                 "INSERT INTO hub_subscription (id, api, callback, query, created_ms) "
                                 "VALUES ('s2', ?, ?, '', 0)",
                                 BSS_DB_ARGS(BSS_DB_STR(API), EV_TEXT(cb)), NULL, &ei),
                     BSS_OK);
    const char *types[] = {"CategoryCreateEvent"};
    add_events(env->db, types, 1);
    bss_app app;
    app_init(&app, env, 2000, 1);
    assert_int_equal(bss_netallow_parse("", &app.webhook_allow, &ei), BSS_OK);
    bss_events *ev = start(&app, 10);
    assert_true(wait_status(env->db, "s1", 0, "dead", 5000));
    assert_true(wait_status(env->db, "s2", 0, "dead", 5000));
    bss_events_stop(ev);
    assert_int_equal(receiver_count(rc), 0);
    delivery_row d;
    get_delivery(env->db, "s1", 0, &d);
    assert_string_equal(d.last_error, "127.0.0.1 is a loopback address, not allowed by webhook-allow");
    get_delivery(env->db, "s2", 0, &d);
    assert_non_null(strstr(d.last_error, "is a loopback address, not allowed by webhook-allow"));

    /* listing the host name lets that name through, whatever it resolves to */
    assert_int_equal(bss_db_exec(env->db, "UPDATE event_delivery SET status = 'pending', attempts = 0",
                                 BSS_DB_NOARGS, NULL, &ei),
                     BSS_OK);
    assert_int_equal(bss_netallow_parse("localhost", &app.webhook_allow, &ei), BSS_OK);
    ev = start(&app, 10);
    assert_true(wait_status(env->db, "s2", 0, "delivered", 5000));
    assert_true(wait_status(env->db, "s1", 0, "dead", 5000));
    bss_events_stop(ev);
    assert_int_equal(receiver_count(rc), 1);
    receiver_stop(rc);
}

/* A callback's password is stored sealed, sent as Basic auth, and a copied seal does not open. */
static void test_sealed_credentials(void **state)
{
    dbtest_env *env = *state;
    apply_events_schema(env->db);
    receiver *rc = receiver_start(ANSWER_200, 0);
    bss_app app;
    app_init(&app, env, 2000, 1);
    char cb[128];
    snprintf(cb, sizeof cb, "http://127.0.0.1:%d/cb/", rc->port);
    char *s1 = bss_seal(&app.secrets, "s1", "pa:ss", 5);
    char *other = bss_seal(&app.secrets, "elsewhere", "pa:ss", 5); /* sealed for another subscription */
    bss_errinfo ei;
    assert_int_equal(bss_db_exec(env->db,
                                 "INSERT INTO hub_subscription (id, api, callback, query, created_ms, callback_user, "
                                 "callback_secret) VALUES ('s1', ?, ?, '', 0, 'hook', ?), ('s2', ?, ?, '', 0, 'hook', ?)",
                                 BSS_DB_ARGS(BSS_DB_STR(API), EV_TEXT(cb), BSS_DB_STR(s1), BSS_DB_STR(API), EV_TEXT(cb),
                                             BSS_DB_STR(other)),
                                 NULL, &ei),
                     BSS_OK);
    bss_free(s1);
    bss_free(other);
    const char *types[] = {"CategoryCreateEvent"};
    add_events(env->db, types, 1);
    bss_events *ev = start(&app, 10);
    assert_true(wait_status(env->db, "s1", 0, "delivered", 5000));
    assert_true(wait_status(env->db, "s2", 0, "dead", 5000));
    bss_events_stop(ev);
    assert_int_equal(receiver_count(rc), 1);
    assert_string_equal(rc->authorization[0], "Basic aG9vazpwYTpzcw=="); /* hook:pa:ss */
    delivery_row d;
    get_delivery(env->db, "s2", 0, &d);
    assert_non_null(strstr(d.last_error, "cannot open the callback's password"));
    receiver_stop(rc);
}

static void test_start_errors_and_null(void **state)
{
    dbtest_env *env = *state;
    (void)env;
    bss_events_stop(NULL);
    bss_events_kick(NULL);
    assert_int_equal(bss_events_backlog(NULL), 0);
    bss__events_set_backoff_unit(NULL, 5);
    bss_app app;
    memset(&app, 0, sizeof app);
    snprintf(app.cfg.db_url, sizeof app.cfg.db_url, "nosuchdb:/x");
    bss_events *ev = (bss_events *)&app;
    bss_errinfo ei;
    assert_int_not_equal(bss_events_start(&app, &ev, &ei), BSS_OK);
    assert_null(ev);
}

#define DISPATCH_TESTS(setup)                                                                                \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_delivers_envelope_to_listener, setup, dbtest_teardown),         \
            cmocka_unit_test_setup_teardown(test_retry_after_500, setup, dbtest_teardown),                   \
            cmocka_unit_test_setup_teardown(test_dead_after_max_attempts, setup, dbtest_teardown),           \
            cmocka_unit_test_setup_teardown(test_refused_connection_is_recorded, setup, dbtest_teardown),    \
            cmocka_unit_test_setup_teardown(test_hung_receiver_does_not_delay_healthy, setup,                \
                                            dbtest_teardown),                                                \
            cmocka_unit_test_setup_teardown(test_sweep_keeps_pending_and_recent, setup, dbtest_teardown),    \
            cmocka_unit_test_setup_teardown(test_policy_refuses_private_addresses, setup, dbtest_teardown),  \
            cmocka_unit_test_setup_teardown(test_sealed_credentials, setup, dbtest_teardown),                \
            cmocka_unit_test_setup_teardown(test_start_errors_and_null, setup, dbtest_teardown),             \
    }

DBTEST_MAIN(DISPATCH_TESTS)
