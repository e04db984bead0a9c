/*
 * h2guard.c: frame meters on HTTP/2 connections (h2guard.h). A meter
 * wraps the connection's frame reader: it looks at the 9-byte frame header
 * the reader is about to consume, charges the frame to its bucket, and
 * either refuses (H2O_HTTP2_ERROR_ENHANCE_YOUR_CALM: h2o sends GOAWAY and
 * closes) or hands the bytes on. h2o swaps the reader as the connection
 * moves between states (headers, continuation), so after every call the
 * meter takes whatever h2o left as its new inner reader and puts itself
 * back in front. The meter leaves with the socket (its on_close, chained).
 */
#include "api/h2guard.h"

#include <dlfcn.h>
#include <h2o/http2.h>
#include <h2o/http2_scheduler.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"

#define SLOTS 4096 /* open addressing by connection; more connections than this go unmetered */
#define FRAME_HEADER 9
#define FRAME_DATA 0
#define FRAME_PRIORITY 2
#define FRAME_RST_STREAM 3
#define FRAME_SETTINGS 4
#define FRAME_PING 6
#define FRAME_WINDOW_UPDATE 8
#define FRAME_CONTINUATION 9
#define FRAME_MAX_DEFAULT 16384 /* SETTINGS_MAX_FRAME_SIZE h2o announces */

/*
 * The first members of h2o 2.2.5's struct st_h2o_http2_conn_t, up to the
 * frame reader, as include/h2o/http2_internal.h declares them (that header
 * needs the khash.h Debian does not ship, so it cannot be included).
 * bss_h2guard_watch checks the layout on every connection before it
 * touches anything (the socket must point back at the connection and the
 * reader must live in libh2o), and leaves the connection alone otherwise.
 */
typedef struct h2o_http2_conn_t h2o_http2_conn_t;
struct h2o_http2_conn_t {
    h2o_conn_t super;
    h2o_socket_t *sock;
    h2o_http2_settings_t peer_settings;
    void *streams; /* khash_t(h2o_http2_stream_t) * */
    struct {
        uint32_t max_open;
        uint32_t max_processed;
    } pull_stream_ids;
    struct {
        uint32_t max_open;
    } push_stream_ids;
    struct {
        struct {
            uint32_t open, half_closed, send_body;
        } priority, pull, push;
    } num_streams;
    h2o_http2_scheduler_node_t scheduler;
    int state; /* h2o_http2_conn_state_t */
    h2o_linklist_t _conns;
    ssize_t (*_read_expect)(h2o_http2_conn_t *conn, const uint8_t *src, size_t len, const char **err_desc);
};
#define MILLI 1000

typedef ssize_t (*reader_fn)(h2o_http2_conn_t *conn, const uint8_t *src, size_t len, const char **err_desc);

typedef struct meter {
    h2o_http2_conn_t *conn; /* NULL: free slot */
    reader_fn inner;
    bss_h2guard *g;
    int64_t resets, control; /* milli-tokens */
    int64_t last_ms;
    uint64_t serial;
    uint32_t jobs; /* deferred requests not finished */
    void (*prev_on_close)(void *);
    void *prev_on_close_data;
} meter;

struct bss_h2guard {
    meter slots[SLOTS];
    uint64_t closed;
    uint64_t serials;
};

/* The loop's guard, for the reader (it gets only the connection). One loop per thread. */
static _Thread_local bss_h2guard *loop_guard;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t slot_of(const h2o_http2_conn_t *conn)
{
    uintptr_t p = (uintptr_t)conn;
    return (size_t)((p >> 4) ^ (p >> 16)) & (SLOTS - 1);
}

static meter *find(bss_h2guard *g, const h2o_http2_conn_t *conn)
{
    size_t i = slot_of(conn);
    for (size_t n = 0; n < SLOTS; n++, i = (i + 1) & (SLOTS - 1)) {
        if (g->slots[i].conn == conn)
            return &g->slots[i];
        if (g->slots[i].conn == NULL)
            return NULL;
    }
    return NULL;
}

/* Removes slot i, moving later entries of its run back so lookups stay correct. */
static void erase(bss_h2guard *g, size_t i)
{
    g->slots[i].conn = NULL;
    for (size_t j = (i + 1) & (SLOTS - 1); g->slots[j].conn != NULL; j = (j + 1) & (SLOTS - 1)) {
        size_t home = slot_of(g->slots[j].conn);
        /* does j's home lie cyclically in (i, j]? then it stays */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (stays)
            continue;
        g->slots[i] = g->slots[j];
        g->slots[j].conn = NULL;
        if (g->slots[i].conn->sock != NULL) /* its socket's on_close names the slot: follow the move */
            g->slots[i].conn->sock->on_close.data = &g->slots[i];
        i = j;
    }
}

static void refill(meter *m, int64_t now)
{
    if (now <= m->last_ms)
        return;
    int64_t dt = now - m->last_ms;
    m->last_ms = now;
    int64_t r = m->resets + dt * BSS_H2_RESETS_PER_S, c = m->control + dt * BSS_H2_CONTROL_PER_S;
    m->resets = r > BSS_H2_RESETS_BURST * MILLI ? BSS_H2_RESETS_BURST * MILLI : r;
    m->control = c > BSS_H2_CONTROL_BURST * MILLI ? BSS_H2_CONTROL_BURST * MILLI : c;
}

/* Charges one frame; false when its bucket is empty. */
static bool charge(meter *m, const uint8_t *hdr)
{
    uint32_t length = ((uint32_t)hdr[0] << 16) | ((uint32_t)hdr[1] << 8) | hdr[2];
    uint8_t type = hdr[3];
    int64_t *bucket = NULL;
    if (type == FRAME_RST_STREAM)
        bucket = &m->resets;
    else if (type == FRAME_PING || type == FRAME_SETTINGS ||
             type == FRAME_PRIORITY || type == FRAME_WINDOW_UPDATE ||
             (type == FRAME_DATA && length == 0) || type > FRAME_CONTINUATION)
        bucket = &m->control;
    if (!bucket)
        return true;
    refill(m, mono_ms());
    if (*bucket < MILLI)
        return false;
    *bucket -= MILLI;
    return true;
}

static ssize_t metered_read(h2o_http2_conn_t *conn, const uint8_t *src, size_t len, const char **err_desc)
{
    bss_h2guard *g = loop_guard;
    meter *m = g ? find(g, conn) : NULL;
    if (!m) /* cannot happen: the meter leaves only with the socket */
        return H2O_HTTP2_ERROR_INTERNAL;
    if (len >= FRAME_HEADER && !charge(m, src)) {
        g->closed++;
        char peer[64] = "?";
        struct sockaddr_storage ss;
        socklen_t sl = conn->super.callbacks->get_peername(&conn->super, (struct sockaddr *)&ss);
        if (sl > 0)
            h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, peer);
        bss_log(BSS_LOG_WARN, "http2.flood", "peer", peer, "frame",
                src[3] == FRAME_RST_STREAM ? "RST_STREAM" : "control", "message",
                "closed an HTTP/2 connection that sent frames faster than allowed (GOAWAY ENHANCE_YOUR_CALM)",
                NULL);
        *err_desc = src[3] == FRAME_RST_STREAM ? "too many stream resets" : "too many control frames";
        return H2O_HTTP2_ERROR_ENHANCE_YOUR_CALM;
    }
    /*
     * Frames of a type HTTP/2 does not define must be ignored (RFC 9113 4.1); h2o 2.2.5 ignores them
     * but prints a raw "skipping frame" line on stderr for each, which a client could use to flood
     * the log. They are dropped here, charged as the cheap frames they are.
     */
    if (len >= FRAME_HEADER && src[3] > FRAME_CONTINUATION) {
        size_t flen = ((size_t)src[0] << 16) | ((size_t)src[1] << 8) | src[2];
        if (flen <= FRAME_MAX_DEFAULT)
            return len >= FRAME_HEADER + flen ? (ssize_t)(FRAME_HEADER + flen) : H2O_HTTP2_ERROR_INCOMPLETE;
    }
    reader_fn inner = m->inner;
    ssize_t ret = inner(conn, src, len, err_desc);
    /* the reader may have moved on (headers -> continuation -> default): follow it, stay in front */
    m = find(g, conn);
    if (m && conn->_read_expect != metered_read) {
        m->inner = conn->_read_expect;
        conn->_read_expect = metered_read;
    }
    return ret;
}

static void on_close(void *data)
{
    meter *m = data;
    void (*prev)(void *) = m->prev_on_close;
    void *prev_data = m->prev_on_close_data;
    bss_h2guard *g = m->g;
    erase(g, (size_t)(m - g->slots));
    if (prev)
        prev(prev_data);
}

/* Whether conn looks like the h2o the meter was written for (see h2o_http2_conn_t above). */
static bool layout_ok(const h2o_http2_conn_t *conn)
{
    static _Thread_local int warned;
    Dl_info reader, lib;
    bool ok = conn->sock != NULL && conn->sock->data == (void *)conn && conn->_read_expect != NULL &&
              conn->_read_expect != metered_read && dladdr((void *)conn->_read_expect, &reader) != 0 &&
              dladdr((void *)h2o_http2_accept, &lib) != 0 && reader.dli_fbase == lib.dli_fbase;
    if (!ok && !warned++)
        bss_log(BSS_LOG_WARN, "http2.guard_off", "message",
                "this libh2o does not look like 2.2.5: HTTP/2 connections are not metered", NULL);
    return ok;
}

void bss_h2guard_watch(bss_h2guard *g, h2o_req_t *req)
{
    if (!g || req->version < 0x200 || req->conn == NULL)
        return;
    loop_guard = g;
    h2o_http2_conn_t *conn = (h2o_http2_conn_t *)req->conn;
    if (find(g, conn))
        return;
    if (!layout_ok(conn))
        return;
    size_t i = slot_of(conn);
    size_t n = 0;
    for (; n < SLOTS && g->slots[i].conn != NULL; n++)
        i = (i + 1) & (SLOTS - 1);
    if (n == SLOTS) /* full: this connection goes unmetered */
        return;
    meter *m = &g->slots[i]; /* the socket's on_close names this slot; erase() keeps that true */
    *m = (meter){.conn = conn, .inner = conn->_read_expect, .g = g, .resets = BSS_H2_RESETS_BURST * MILLI,
                 .control = BSS_H2_CONTROL_BURST * MILLI, .last_ms = mono_ms(), .serial = ++g->serials,
                 .prev_on_close = conn->sock->on_close.cb, .prev_on_close_data = conn->sock->on_close.data};
    conn->sock->on_close.cb = on_close;
    conn->sock->on_close.data = m;
    conn->_read_expect = metered_read;
}

bool bss_h2guard_job_enter(bss_h2guard *g, h2o_req_t *req, bss_h2_ticket *t)
{
    *t = (bss_h2_ticket){0};
    if (!g || req->version < 0x200 || req->conn == NULL)
        return true;
    meter *m = find(g, (h2o_http2_conn_t *)req->conn);
    if (!m)
        return true;
    if (m->jobs >= BSS_H2_JOBS_MAX)
        return false;
    m->jobs++;
    *t = (bss_h2_ticket){.conn = m->conn, .serial = m->serial};
    return true;
}

void bss_h2guard_job_leave(bss_h2guard *g, bss_h2_ticket *t)
{
    if (!g || !t->conn)
        return;
    meter *m = find(g, t->conn);
    if (m && m->serial == t->serial && m->jobs > 0)
        m->jobs--;
    *t = (bss_h2_ticket){0};
}

bss_h2guard *bss_h2guard_new(void)
{
    return bss_calloc(1, sizeof(bss_h2guard));
}

void bss_h2guard_free(bss_h2guard *g)
{
    bss_free(g);
}

uint64_t bss_h2guard_closed(const bss_h2guard *g)
{
    return g ? g->closed : 0;
}
