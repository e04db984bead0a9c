/*
 * h1guard.h: HTTP/1.1 message framing that cannot be read two ways. h2o
 * 2.2.5 lets Transfer-Encoding win over Content-Length without closing the
 * connection, takes the first of two different Content-Length headers, and
 * hides both headers from handlers; behind a proxy that frames by
 * Content-Length, the bytes after the body would run as a second,
 * smuggled request (RFC 9112 6.1, 6.3).
 *
 * h2o keeps a request's raw bytes in the socket's input buffer until its
 * answer has been written, so when bss dispatches an HTTP/1 request, the
 * buffer starts with that request's head. bss_h1guard_check reads that
 * head the way a proxy would: Content-Length together with
 * Transfer-Encoding, or two Content-Length values that differ, is a
 * refusal. The caller then answers 400 without running the handler and
 * marks the connection to close after the answer, so nothing behind the
 * ambiguous body ever runs.
 */
#ifndef BSS_API_H1GUARD_H
#define BSS_API_H1GUARD_H

#include <h2o.h>

/*
 * NULL when req is fine (or is not HTTP/1, or its head cannot be found
 * where h2o keeps it); else why it must be refused, and the connection
 * is already marked to close after the answer.
 */
const char *bss_h1guard_check(h2o_req_t *req);

/*
 * A request h2o cannot parse as HTTP/1.x at all (a broken request line or
 * header, a head too large) is answered by h2o 2.2.5 itself, before any
 * request exists and past every filter: a fixed plain-text 400 written
 * straight to the socket. bss defines h2o_socket_write (libh2o calls it
 * through its PLT, so this definition comes first) and hands the real one
 * every write unchanged, except that one fixed answer, which it swaps for
 * the TMF error body set here (a whole HTTP/1.1 response, made once when
 * the base URL is known, before the loops start). NULL keeps h2o's.
 */
void bss_h1guard_set_bad_request(const char *response, size_t len);

#endif
