/*
 * h1guard.c: the framing check of an HTTP/1 request head (h1guard.h).
 *
 * The head is read straight from the connection's input buffer, where h2o
 * keeps the request's raw bytes until its answer is out: the request line,
 * then header lines to the first empty line. The request line must be the
 * one h2o parsed (same method and target), else the check steps aside:
 * the bytes are not where this code expects them, and guessing could
 * refuse a good request.
 */
#include "api/h1guard.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/*
 * The first two members of h2o 2.2.5's struct st_h2o_http1_conn_t
 * (lib/http1.c): the connection and its socket. The check uses the socket
 * only when it points back at the connection.
 */
typedef struct conn_head {
    h2o_conn_t super;
    h2o_socket_t *sock;
} conn_head;

/* The next line of buf[*at..len) without its CRLF; false at the end of the buffer. */
static bool next_line(const char *buf, size_t len, size_t *at, const char **line, size_t *n)
{
    if (*at >= len)
        return false;
    const char *s = buf + *at;
    const char *nl = memchr(s, '\n', len - *at);
    if (!nl)
        return false; /* h2o parsed a complete head, so this does not happen */
    *line = s;
    *n = (size_t)(nl - s);
    if (*n && s[*n - 1] == '\r')
        (*n)--;
    *at += (size_t)(nl - s) + 1;
    return true;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static bool name_is(const char *s, size_t n, const char *want)
{
    return n == strlen(want) && strncasecmp(s, want, n) == 0;
}

/* Whether line is "METHOD TARGET HTTP/1.x" for req's method and target. */
static bool same_request_line(const h2o_req_t *req, const char *line, size_t n)
{
    const h2o_iovec_t m = req->input.method, p = req->input.path;
    return n > m.len + p.len + 2 && memcmp(line, m.base, m.len) == 0 && line[m.len] == ' ' &&
           memcmp(line + m.len + 1, p.base, p.len) == 0 && line[m.len + 1 + p.len] == ' ';
}

const char *bss_h1guard_check(h2o_req_t *req)
{
    if (req->version >= 0x200 || req->conn == NULL)
        return NULL;
    h2o_socket_t *sock = ((conn_head *)req->conn)->sock;
    if (sock == NULL || sock->data != (void *)req->conn || sock->input == NULL)
        return NULL;
    const char *buf = sock->input->bytes;
    size_t len = sock->input->size, at = 0;
    const char *line;
    size_t n;
    do { /* blank lines before a request line are allowed */
        if (!next_line(buf, len, &at, &line, &n))
            return NULL;
    } while (n == 0);
    if (!same_request_line(req, line, n))
        return NULL;
    bool has_cl = false, has_te = false, conflict = false;
    const char *cl = NULL;
    size_t cl_len = 0;
    while (next_line(buf, len, &at, &line, &n) && n > 0) {
        const char *colon = memchr(line, ':', n);
        if (!colon)
            continue;
        const char *name = line, *value = colon + 1;
        size_t nlen = (size_t)(colon - line), vlen = n - nlen - 1;
        trim(&name, &nlen);
        trim(&value, &vlen);
        if (name_is(name, nlen, "content-length")) {
            if (has_cl && (vlen != cl_len || memcmp(value, cl, vlen) != 0))
                conflict = true;
            has_cl = true;
            cl = value;
            cl_len = vlen;
        } else if (name_is(name, nlen, "transfer-encoding")) {
            has_te = true;
        }
    }
    const char *why = NULL;
    if (has_cl && has_te)
        why = "a request may not carry both Content-Length and Transfer-Encoding (RFC 9112 6.1)";
    else if (conflict)
        why = "a request may not carry two different Content-Length values (RFC 9112 6.3)";
    if (why)
        req->http1_is_persistent = 0; /* what follows the body is never read as a request */
    return why;
}

/* ---- h2o's own 400 for what is not HTTP ---- */

/* The response h2o 2.2.5 writes from send_bad_request() in lib/http1.c, byte for byte. */
static const char h2o_bad_request[] = "HTTP/1.1 400 Bad Request\r\n"
                                      "Content-Type: text/plain; charset=utf-8\r\n"
                                      "Connection: close\r\n"
                                      "Content-Length: 11\r\n"
                                      "\r\n"
                                      "Bad Request";

static h2o_iovec_t bad_request; /* ours; set before the loops start, then only read */

void bss_h1guard_set_bad_request(const char *response, size_t len)
{
    bad_request = h2o_iovec_init(response, response ? len : 0);
}

typedef void (*socket_write_fn)(h2o_socket_t *sock, h2o_iovec_t *bufs, size_t bufcnt, h2o_socket_cb cb);
static socket_write_fn real_write;
static pthread_once_t real_write_once = PTHREAD_ONCE_INIT;

static void find_real_write(void)
{
    void *f = dlsym(RTLD_NEXT, "h2o_socket_write");
    memcpy(&real_write, &f, sizeof real_write);
}

void h2o_socket_write(h2o_socket_t *sock, h2o_iovec_t *bufs, size_t bufcnt, h2o_socket_cb cb)
{
    pthread_once(&real_write_once, find_real_write);
    if (bufcnt == 1 && bufs[0].len == sizeof h2o_bad_request - 1 && bad_request.base != NULL &&
        memcmp(bufs[0].base, h2o_bad_request, sizeof h2o_bad_request - 1) == 0)
        bufs = &bad_request; /* static, as h2o's was: the socket may write it later */
    real_write(sock, bufs, bufcnt, cb);
}
