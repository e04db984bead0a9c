/*
 * server.c: the threads and sockets of the HTTP server (api.h). One h2o
 * evloop per thread; each has its own SO_REUSEPORT listening socket (the
 * kernel spreads connections), its own h2o_context_t, its own read
 * connection to the store, its own API key cache, and a multithread queue
 * with two receivers: write completions (http.c) and the stop request.
 * h2o's HTTP/1 accept path switches to HTTP/2 when a connection opens
 * with the h2c preface, so both protocols share the port.
 *
 * The main thread owns start and stop: it builds the route table and the
 * h2o configuration (read-only once the loops run), opens every loop's
 * socket and connection so start-up errors are reported before anything
 * runs, starts the threads, then waits for SIGINT/SIGTERM with
 * sigtimedwait (the signals are blocked everywhere, see
 * bss_server_block_signals). On stop each loop closes its listener, asks
 * h2o to shut connections down, and keeps running until its in-flight
 * writes are back and its connections are gone (or the grace period ends).
 */
#include "api/api.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>

#include "api/errmap.h"
#include "api/h1guard.h"
#include "api/h2guard.h"
#include "api/http_int.h"
#include "api/router_int.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_LOOPS 256

#if defined(__SANITIZE_ADDRESS__)
/*
 * h2o 2.2.5 keeps freed buffers in per-thread recycle lists that nothing
 * empties when a thread ends, and h2o_multithread_destroy_queue does not
 * free the queue. And when a client keeps an idle keep-alive connection
 * open across a stop, the loop's h2o context cannot be disposed (h2o 2.2.5
 * cannot close HTTP/1 connections from outside): its own allocations
 * (context, file cache, header vectors) are left to process exit. None of
 * this is ours to fix; the patterns name only h2o's own allocation sites, so
 * our leaks stay visible.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:h2o_mem_alloc_recycle\nleak:h2o_multithread_create_queue\n"
           "leak:h2o_context_init\nleak:h2o_filecache_create\nleak:h2o_vector__expand\n";
}
#endif
#define STOP_FORCE_MARGIN_MS 5000 /* past the drain, the watchdog ends the process */
#define STOP_FLUSH_MS 200 /* after the last answer, time for responses to leave */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bss_server_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* ---- per-loop callbacks (run on the loop's thread) ---- */

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    bss_loop *loop = H2O_STRUCT_FROM_MEMBER(bss_loop, ctx, req->conn->ctx);
    return bss__http_dispatch(loop, req);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    bss_loop *loop = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < 32; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            break;
        h2o_accept(&loop->accept_ctx, sock);
    }
}

static void on_tick(h2o_timeout_entry_t *entry)
{
    bss_loop *loop = H2O_STRUCT_FROM_MEMBER(bss_loop, tick_entry, entry);
    if (loop->db != NULL) {
        bss_db_stats st;
        bss_db_get_stats(loop->db, &st);
        bss_metrics_set_db_errors(loop->srv->metrics, loop->index, st.errors);
    }
    h2o_timeout_link(loop->evloop, &loop->tick_timeout, &loop->tick_entry);
}

static void close_listener(bss_loop *loop)
{
    if (loop->listener != NULL) {
        h2o_socket_read_stop(loop->listener);
        h2o_socket_close(loop->listener); /* closes the fd too */
        loop->listener = NULL;
        loop->listen_fd = -1;
    } else if (loop->listen_fd >= 0) {
        close(loop->listen_fd);
        loop->listen_fd = -1;
    }
}

static void on_stop(h2o_multithread_receiver_t *rx, h2o_linklist_t *messages)
{
    bss_loop *loop = H2O_STRUCT_FROM_MEMBER(bss_loop, stop_rx, rx);
    while (!h2o_linklist_is_empty(messages))
        h2o_linklist_unlink(messages->next);
    if (loop->stopping)
        return;
    loop->stopping = true;
    int64_t deadline = atomic_load(&loop->app->stop_deadline_ms);
    loop->stop_deadline_ms = deadline > 0 ? deadline : now_ms() + loop->app->cfg.drain_ms;
    close_listener(loop);
    h2o_context_request_shutdown(&loop->ctx);
}

static bool loop_idle(bss_loop *loop)
{
    return h2o_linklist_is_empty(&loop->ctx.http1._conns) && h2o_linklist_is_empty(&loop->ctx.http2._conns);
}

/*
 * A stopping loop ends when no write is in flight (a write always comes back:
 * the writer finishes its queue) and either every connection is gone or the
 * flush window after the last answer has passed. Handlers answer at once or
 * after their write, so no request is left unanswered then; what may remain
 * are idle keep-alive connections, which would otherwise hold the stop for
 * the whole grace period.
 */
static bool loop_finished(bss_loop *loop)
{
    if (!loop->stopping)
        return false;
    int64_t now = now_ms();
    if (loop->pending_writes > 0 && now < loop->stop_deadline_ms)
        return false;
    if (loop_idle(loop))
        return true;
    if (loop->flush_deadline_ms == 0)
        loop->flush_deadline_ms = now + STOP_FLUSH_MS;
    return now >= loop->flush_deadline_ms || now >= loop->stop_deadline_ms;
}

static void setup_loop_h2o(bss_loop *loop);
static void teardown_loop_h2o(bss_loop *loop);

static void *loop_main(void *arg)
{
    bss_loop *loop = arg;
    setup_loop_h2o(loop);
    sem_post(&loop->srv->ready);
    while (!loop_finished(loop))
        h2o_evloop_run(loop->evloop, INT32_MAX);
    teardown_loop_h2o(loop);
    return NULL;
}

/*
 * h2o answers some requests itself before our handler runs: 413 when the
 * body exceeds max_request_entity_size (--max-body), 400 on a request it
 * cannot parse, 417 on an unknown Expect, all with a text/plain body. This filter (on the "/" path
 * and the host's fallback path, which h2o binds those errors to) swaps such
 * a body for the TMF error body, so every error looks the same. Our own
 * answers carry X-Request-Id and are left alone.
 */
typedef struct tmf_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
} tmf_ostream;

static void tmf_do_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt,
                        h2o_send_state_t state)
{
    tmf_ostream *o = (tmf_ostream *)self;
    if (h2o_send_state_is_in_progress(state)) {
        h2o_ostream_send_next(self, req, NULL, 0, state); /* swallow h2o's text, ask for the rest */
        return;
    }
    h2o_ostream_send_next(self, req, &o->body, 1, state);
}

/* The TMF error body of an answer h2o made itself (status st): a bss code where one fits. */
static h2o_iovec_t tmf_error_text(h2o_req_t *req, int st, const bss_app *app)
{
    bss_errinfo ei;
    bss_err code = st == 413 ? BSS_E_TOO_BIG : st == 400 ? BSS_E_PARSE : BSS_E_INVALID;
    if (st == 413)
        bss_fail(&ei, code, NULL, "the request body is larger than %lld bytes (--max-body)",
                 (long long)app->cfg.max_body);
    else if (st == 417)
        bss_fail(&ei, code, NULL, "unknown expectation: only Expect: 100-continue is supported");
    else if (st == 400)
        bss_fail(&ei, code, NULL, "malformed HTTP request");
    else
        bss_fail(&ei, code, NULL, "%s", req->res.reason ? req->res.reason : "the request was refused");
    json_t *body = bss_errmap_body(code, &ei, app->base_url);
    if (body && st != 400 && st != 413) { /* the status h2o answers with, not the code's usual one */
        char num[8];
        snprintf(num, sizeof num, "%d", st);
        json_object_set_new(body, "status", json_string(num));
        const char *name = st == 417 ? "EXPECTATION" : "HTTP";
        char ref[600];
        snprintf(ref, sizeof ref, "%s/docs/errors#%s", app->base_url, name);
        json_object_set_new(body, "code", json_string(name));
        json_object_set_new(body, "reason", json_string(req->res.reason ? req->res.reason : "Error"));
        json_object_set_new(body, "referenceError", json_string(ref));
    }
    size_t len = 0;
    char *text = body ? bss_json_dump(body, &len) : NULL;
    json_decref(body);
    h2o_iovec_t v = text ? h2o_strdup(&req->pool, text, len) : h2o_iovec_init(H2O_STRLIT("{}"));
    bss_free(text);
    return v;
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    int st = req->res.status;
    if (st >= 400 && h2o_find_header_by_str(&req->res.headers, H2O_STRLIT("x-request-id"), -1) < 0) {
        bss_loop *loop = H2O_STRUCT_FROM_MEMBER(bss_loop, ctx, req->conn->ctx);
        tmf_ostream *o = (tmf_ostream *)h2o_add_ostream(req, sizeof(*o), slot);
        o->super.do_send = tmf_do_send;
        o->body = tmf_error_text(req, st, loop->app);
        memset(&req->res.headers, 0, sizeof(req->res.headers));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                       H2O_STRLIT("application/json;charset=utf-8"));
        req->res.content_length = o->body.len;
        slot = &o->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

/* ---- set-up and tear-down (main thread) ---- */

/*
 * SO_REUSEPORT lets every loop bind the port, but it would also let a second
 * bss (same user) bind it and silently share the traffic with this one. So
 * before the first bind, a plain socket (no SO_REUSEPORT, no SO_REUSEADDR)
 * tries the address: if anything holds it, the port is in use.
 */
static bool port_free(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true; /* let the real bind report it */
    bool ok = bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno != EADDRINUSE;
    close(fd);
    return ok;
}

/* The listening address of host:port (freeaddrinfo it). */
static bss_err resolve(const char *host, int port, struct addrinfo **res, bss_errinfo *ei)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int gai = getaddrinfo(host[0] ? host : NULL, portstr, &hints, res);
    if (gai != 0)
        return bss_fail(ei, BSS_E_CONFIG, "listen", "cannot resolve %s: %s", host, gai_strerror(gai));
    return BSS_OK;
}

bss_err bss_server_check_listen(const char *host, int port, bss_errinfo *ei)
{
    struct addrinfo *res = NULL;
    if (port == 0)
        return BSS_OK;
    if (resolve(host, port, &res, ei) != BSS_OK)
        return BSS_E_CONFIG;
    bool free_ = port_free(res);
    freeaddrinfo(res);
    return free_ ? BSS_OK
                 : bss_fail(ei, BSS_E_IO, "listen", "cannot listen on %s:%d: the port is in use by another process",
                            host, port);
}

static bss_err open_listener(const char *host, int port, bool probe, int *fd_out, int *bound_port,
                             bss_errinfo *ei)
{
    struct addrinfo *res = NULL;
    if (resolve(host, port, &res, ei) != BSS_OK)
        return BSS_E_CONFIG;
    if (probe && !port_free(res)) {
        freeaddrinfo(res);
        return bss_fail(ei, BSS_E_IO, "listen",
                        "cannot listen on %s:%d: the port is in use by another process", host, port);
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return bss_fail(ei, BSS_E_IO, "listen", "cannot listen on %s:%d: %s", host, port, strerror(e));
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    return BSS_OK;
}

/*
 * The parts of a loop that are not h2o's, made on the main thread so that a
 * start-up error (store unreachable, out of memory) is reported before any
 * thread runs.
 */
static bss_err setup_loop(bss_server *srv, bss_loop *loop, int fd, bss_errinfo *ei)
{
    bss_app *app = srv->app;
    loop->srv = srv;
    loop->app = app;
    loop->listen_fd = fd;
    unsigned char rnd[3];
    randombytes_buf(rnd, sizeof(rnd));
    snprintf(loop->rid_prefix, sizeof(loop->rid_prefix), "%02x%02x%02x%zx-", rnd[0], rnd[1], rnd[2],
             loop->index);
    loop->auth = bss_auth_create(BSS_AUTH_CACHE_TTL_MS);
    if (loop->auth == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    loop->health_checked_ms = INT64_MIN / 2;
    return bss_db_open(app->cfg.db_url, &app->dbopt, &loop->db, ei);
}

/*
 * The h2o parts of a loop, made ON THE LOOP'S OWN THREAD. h2o keeps its
 * buffer recyclers in thread-local storage and a socket remembers the
 * recycler of the thread that created it: a socket (the multithread queue's
 * notification pipe, the listener) created on the main thread and read on a
 * loop thread would share the main thread's recycler between loops, a data
 * race that corrupted buffers under concurrent writes.
 */
static void setup_loop_h2o(bss_loop *loop)
{
    loop->evloop = h2o_evloop_create();
    loop->h2guard = bss_h2guard_new(); /* NULL (no memory): connections go unmetered */
    h2o_context_init(&loop->ctx, loop->evloop, &loop->srv->config);
    loop->ctx_inited = true;
    loop->accept_ctx.ctx = &loop->ctx;
    loop->accept_ctx.hosts = loop->srv->config.hosts;
    loop->listener = h2o_evloop_socket_create(loop->evloop, loop->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    loop->listener->data = loop;
    h2o_socket_read_start(loop->listener, on_accept);
    loop->queue = h2o_multithread_create_queue(loop->evloop);
    h2o_multithread_register_receiver(loop->queue, &loop->write_rx, bss__http_on_write_messages);
    h2o_multithread_register_receiver(loop->queue, &loop->stop_rx, on_stop);
    h2o_timeout_init(loop->evloop, &loop->tick_timeout, BSS_LOOP_TICK_MS);
    loop->tick_entry.cb = on_tick;
    h2o_timeout_link(loop->evloop, &loop->tick_timeout, &loop->tick_entry);
}

/* On the loop's thread, after its last run: the h2o parts, in reverse. */
static void teardown_loop_h2o(bss_loop *loop)
{
    close_listener(loop);
    bool idle = loop_idle(loop);
    if (h2o_timeout_is_linked(&loop->tick_entry))
        h2o_timeout_unlink(&loop->tick_entry);
    h2o_multithread_unregister_receiver(loop->queue, &loop->write_rx);
    h2o_multithread_unregister_receiver(loop->queue, &loop->stop_rx);
    h2o_multithread_destroy_queue(loop->queue);
    if (idle) {
        /* h2o_context_request_shutdown armed HTTP/2's graceful-shutdown timer */
        if (h2o_timeout_is_linked(&loop->ctx.http2._graceful_shutdown_timeout))
            h2o_timeout_unlink(&loop->ctx.http2._graceful_shutdown_timeout);
        h2o_context_dispose(&loop->ctx);
        h2o_evloop_run(loop->evloop, 0); /* lets closed sockets be freed */
        h2o_timeout_dispose(loop->evloop, &loop->tick_timeout);
        h2o_evloop_destroy(loop->evloop);
    } else {
        /*
         * Idle keep-alive connections (h2o 2.2.5 has no way to close them
         * from outside) or clients that never finished: their h2o state is
         * left to process exit.
         */
        bss_log(BSS_LOG_INFO, "http.stop", "message", "closing with client connections still open", NULL);
    }
}

/* On the main thread, after the loop's thread has ended (or never started). */
static void teardown_loop(bss_loop *loop)
{
    if (loop->evloop == NULL && loop->listen_fd >= 0) {
        close(loop->listen_fd);
        loop->listen_fd = -1;
    }
    bss_db_close(loop->db);
    bss_auth_destroy(loop->auth);
    /* the loop thread has ended: no connection of it runs any more, even one left open */
    bss_h2guard_free(loop->h2guard);
    loop->h2guard = NULL;
}

static void setup_config(bss_server *srv)
{
    const bss_config *cfg = &srv->app->cfg;
    h2o_config_init(&srv->config);
    srv->config.server_name = h2o_iovec_init(H2O_STRLIT("bss"));
    /*
     * h2o's own cap is twice ours: bodies up to it reach bss__http_dispatch,
     * which answers 413 with the TMF body on both protocols. Beyond it h2o
     * refuses by itself: HTTP/1.1 gets 413 (rewritten by the filter below),
     * HTTP/2 gets RST_STREAM(REFUSED_STREAM), which h2o 2.2.5 does not let
     * us change.
     */
    srv->config.max_request_entity_size = (size_t)cfg->max_body * 2;
    srv->config.http1.req_timeout = (uint64_t)cfg->request_timeout_ms;
    srv->config.http2.idle_timeout = (uint64_t)cfg->request_timeout_ms;
    h2o_hostconf_t *host =
        h2o_config_register_host(&srv->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *h = h2o_create_handler(path, sizeof(*h));
    h->on_req = on_req;
    h2o_create_filter(path, sizeof(h2o_filter_t))->on_setup_ostream = on_setup_ostream;
    h2o_create_filter(&host->fallback_path, sizeof(h2o_filter_t))->on_setup_ostream = on_setup_ostream;
}

static bss_err build_routes(bss_server *srv, bss_errinfo *ei)
{
    srv->router = bss_router_create();
    if (srv->router == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    bss_err rc = bss_routes_register_all(srv->router, srv->app);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "registering routes failed: %s", bss_strerror(rc));
    size_t n = bss_router_count(srv->router);
    srv->metrics = bss_metrics_create(srv->nloops, n);
    if (srv->metrics == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        bss_metrics_set_route_name(srv->metrics, i, bss_router_route_at(srv->router, i)->name);
    return BSS_OK;
}

static void format_addr(const char *host, int port, char *buf, size_t cap)
{
    if (strchr(host, ':') != NULL)
        snprintf(buf, cap, "[%s]:%d", host, port);
    else
        snprintf(buf, cap, "%s:%d", host, port);
}

/* The TMF 400 for a request h2o cannot read as HTTP at all (h1guard.h). */
static void set_bad_request(bss_server *srv)
{
    bss_errinfo ei;
    bss_fail(&ei, BSS_E_PARSE, NULL,
             "the request could not be read as HTTP/1.1: a malformed request line or header, or a head larger "
             "than %d bytes", H2O_MAX_REQLEN);
    json_t *body = bss_errmap_body(BSS_E_PARSE, &ei, srv->app->base_url);
    size_t len = 0;
    char *text = body ? bss_json_dump(body, &len) : NULL;
    json_decref(body);
    bss_free(srv->bad_request);
    srv->bad_request = NULL;
    if (text) {
        size_t cap = len + 200;
        srv->bad_request = bss_malloc(cap);
        if (srv->bad_request) {
            int n = snprintf(srv->bad_request, cap,
                             "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json;charset=utf-8\r\n"
                             "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
                             len, text);
            bss_h1guard_set_bad_request(srv->bad_request, (size_t)n);
        }
    }
    bss_free(text);
}

static bss_err open_loops(bss_server *srv, char *addr, size_t addr_cap, bss_errinfo *ei)
{
    const bss_config *cfg = &srv->app->cfg;
    int port = cfg->listen_port;
    for (size_t i = 0; i < srv->nloops; i++) {
        srv->loops[i].index = i;
        srv->loops[i].listen_fd = -1;
    }
    for (size_t i = 0; i < srv->nloops; i++) {
        int fd = -1, bound = 0;
        bss_err rc = open_listener(cfg->listen_host, port, i == 0 && port != 0, &fd, &bound, ei);
        if (rc != BSS_OK)
            return rc;
        port = bound; /* with port 0 the first socket picks it, the others share it */
        rc = setup_loop(srv, &srv->loops[i], fd, ei);
        if (rc != BSS_OK)
            return rc;
    }
    format_addr(cfg->listen_host, port, addr, addr_cap);
    if (cfg->base_url[0] == '\0')
        snprintf(srv->app->base_url, sizeof(srv->app->base_url), "http://%s", addr);
    set_bad_request(srv);
    return BSS_OK;
}

/*
 * Stop always works: the loops, workers, writer and dispatcher all end
 * within the drain (--drain-timeout) by construction, and this thread makes
 * sure of it. Should anything still run STOP_FORCE_MARGIN_MS after the
 * drain, it says so and ends the process (exit status 1). Every write is a
 * transaction, so the store is consistent at any instant; what was not
 * answered was not acknowledged.
 */
static void *watchdog_main(void *arg)
{
    const bss_app *app = arg;
    int64_t until = atomic_load(&app->stop_deadline_ms) + STOP_FORCE_MARGIN_MS;
    for (;;) {
        int64_t left = until - now_ms();
        if (left <= 0)
            break;
        struct timespec ts = {left / 1000, (left % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    bss_log(BSS_LOG_ERROR, "server.stop_forced", "message",
            "the stop did not finish within the drain time: exiting now", NULL);
    _exit(1);
    return NULL;
}

static void start_watchdog(bss_app *app)
{
    pthread_t t;
    if (pthread_create(&t, NULL, watchdog_main, app) == 0)
        pthread_detach(t);
}

static void wait_for_stop(bss_app *app)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    const struct timespec tick = {0, 200 * 1000000};
    while (!atomic_load(&app->stopping)) {
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
            bss_log(BSS_LOG_INFO, "server.stop", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
            atomic_store(&app->stop_deadline_ms, now_ms() + app->cfg.drain_ms);
            atomic_store(&app->stopping, 1);
            start_watchdog(app);
        }
    }
}

static void run_loops(bss_server *srv, const char *addr)
{
    size_t started = 0;
    for (; started < srv->nloops; started++) {
        bss_loop *loop = &srv->loops[started];
        if (pthread_create(&loop->tid, NULL, loop_main, loop) != 0)
            break;
        loop->thread_started = true;
    }
    for (size_t i = 0; i < started; i++)
        sem_wait(&srv->ready); /* every started loop has its queue before a stop can be sent */
    char nthreads[16];
    snprintf(nthreads, sizeof(nthreads), "%zu", started);
    bss_log(BSS_LOG_INFO, "http.listen", "addr", addr, "threads", nthreads, "base_url", srv->app->base_url,
            NULL);
    if (started < srv->nloops) {
        bss_log(BSS_LOG_ERROR, "http.thread", "message", "could not start every event loop thread", NULL);
        atomic_store(&srv->app->stopping, 1);
    }
    wait_for_stop(srv->app);
    for (size_t i = 0; i < started; i++)
        h2o_multithread_send_message(&srv->loops[i].stop_rx, &srv->loops[i].stop_msg);
    for (size_t i = 0; i < started; i++)
        pthread_join(srv->loops[i].tid, NULL);
    bss_log(BSS_LOG_INFO, "http.stopped", NULL);
}

bss_err bss_server_run(bss_app *app, bss_errinfo *ei)
{
    bss_server_block_signals();
    if (sodium_init() < 0)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "libsodium failed to initialise");
    bss_server *srv = bss_calloc(1, sizeof(*srv));
    if (srv == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    srv->app = app;
    sem_init(&srv->ready, 0, 0);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    srv->nloops = app->cfg.threads > 0 ? (size_t)app->cfg.threads : (size_t)(ncpu > 0 ? ncpu : 1);
    if (srv->nloops > MAX_LOOPS)
        srv->nloops = MAX_LOOPS;
    setup_config(srv);
    srv->loops = bss_calloc(srv->nloops, sizeof(*srv->loops));
    char addr[300];
    bss_err rc = srv->loops ? build_routes(srv, ei) : bss_fail(ei, BSS_E_NOMEM, NULL, NULL);
    if (rc == BSS_OK)
        rc = open_loops(srv, addr, sizeof(addr), ei);
    if (rc == BSS_OK) {
        app->metrics = srv->metrics;
        run_loops(srv, addr);
        app->metrics = NULL;
    }
    for (size_t i = 0; srv->loops != NULL && i < srv->nloops; i++)
        teardown_loop(&srv->loops[i]);
    bss_free(srv->loops);
    bss_h1guard_set_bad_request(NULL, 0);
    bss_free(srv->bad_request);
    srv->bad_request = NULL;
    bss_metrics_destroy(srv->metrics);
    bss_router_destroy(srv->router);
    h2o_config_dispose(&srv->config);
    sem_destroy(&srv->ready);
    bss_free(srv);
    return rc;
}
