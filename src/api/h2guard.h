/*
 * h2guard.h: the HTTP/2 flood defence. Debian's libh2o is 2.2.5, older
 * than upstream's mitigations for the frame floods of 2019 and the Rapid
 * Reset attack of 2023 (CVE-2023-44487: HEADERS then RST_STREAM, again
 * and again, so a reset stream's work is done while the concurrent-stream
 * limit never bites). Each HTTP/2 connection gets, on its first request,
 * a frame meter in front of h2o's frame reader (h2o_http2_conn_t's
 * _read_expect, laid out as h2o's own http2_internal.h has it): a token bucket for
 * stream resets and one for the control frames that cost nothing to send
 * (PING, SETTINGS, PRIORITY, WINDOW_UPDATE, empty DATA). A connection that
 * empties one gets GOAWAY(ENHANCE_YOUR_CALM) and is closed, and the event
 * is logged. The work of a reset stream is skipped anyway
 * (bss_http_read), so the meter bounds what is left: parsing.
 *
 * The meter also counts the connection's requests deferred to the workers
 * or the writer and not yet finished, the reset ones included (their work
 * stays queued until a worker skips it): past BSS_H2_JOBS_MAX a request is
 * 429, so however fast a client opens and resets streams, one connection
 * never has more than that in the queues. HTTP/1.1 runs one request at a
 * time per connection and needs no count.
 *
 * One guard per event loop; its table is touched only by the loop's thread.
 */
#ifndef BSS_API_H2GUARD_H
#define BSS_API_H2GUARD_H

#include <h2o.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct bss_h2guard bss_h2guard;

#define BSS_H2_RESETS_BURST 200      /* resets a connection may send at once */
#define BSS_H2_RESETS_PER_S 20       /* and then per second */
#define BSS_H2_CONTROL_BURST 1000    /* cheap control frames at once */
#define BSS_H2_CONTROL_PER_S 200     /* and then per second */
#define BSS_H2_JOBS_MAX 128          /* deferred requests one connection may have unfinished */

/* A connection's count held by one deferred request (bss_h2guard_job_enter). */
typedef struct bss_h2_ticket {
    const void *conn; /* NULL: nothing held */
    uint64_t serial;  /* the meter's: a later connection at the same address is another */
} bss_h2_ticket;

bss_h2guard *bss_h2guard_new(void);
void bss_h2guard_free(bss_h2guard *g); /* once the loop's thread has ended */

/* Puts the meter on req's connection when it is HTTP/2 and has none yet. */
void bss_h2guard_watch(bss_h2guard *g, h2o_req_t *req);

/*
 * Counts one more deferred request on req's connection into *t. false when
 * the connection already has BSS_H2_JOBS_MAX (nothing held). Unmetered
 * connections (HTTP/1.1, no room, no guard) always pass with t->conn NULL.
 */
bool bss_h2guard_job_enter(bss_h2guard *g, h2o_req_t *req, bss_h2_ticket *t);
/* Gives back what *t holds (a no-op once the connection has closed). */
void bss_h2guard_job_leave(bss_h2guard *g, bss_h2_ticket *t);

/* Connections closed for a flood since start (for /metrics and tests). */
uint64_t bss_h2guard_closed(const bss_h2guard *g);

#endif
