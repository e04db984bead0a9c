/*
 * http_int.h: the HTTP layer's private structures, shared by server.c
 * (threads, sockets, dispatch), http.c (the bss_req helpers) and admin.c
 * (health and metrics need the loop's state). Nothing outside src/api
 * includes this.
 */
#ifndef BSS_API_HTTP_INT_H
#define BSS_API_HTTP_INT_H

#include <h2o.h>
#include <semaphore.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "api/http.h"
#include "api/metrics.h"
#include "api/router.h"

#define BSS_HEALTH_RECHECK_MS 250 /* /health runs its store query at most this often per loop */
#define BSS_LOOP_TICK_MS 250      /* housekeeping timer of each loop */

typedef struct bss_server bss_server;

struct bss_loop {
    size_t index;
    bss_server *srv;
    bss_app *app;
    h2o_evloop_t *evloop;
    h2o_context_t ctx;
    bool ctx_inited;
    h2o_accept_ctx_t accept_ctx;
    int listen_fd;
    h2o_socket_t *listener;
    bss_db *db; /* reads only */
    bss_auth *auth;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t write_rx; /* bss_http_write completions */
    h2o_multithread_receiver_t stop_rx;  /* the stop request from the main thread */
    h2o_multithread_message_t stop_msg;
    h2o_timeout_t tick_timeout;
    h2o_timeout_entry_t tick_entry;
    pthread_t tid;
    bool thread_started;
    bool stopping;
    int64_t stop_deadline_ms;
    int64_t flush_deadline_ms; /* 0 until a stopping loop has no write in flight */
    size_t pending_writes;
    uint64_t req_seq;
    char rid_prefix[12];
    int64_t health_checked_ms; /* monotonic */
    struct bss_h2guard *h2guard; /* frame meters of this loop's HTTP/2 connections */
    bss_err health_rc;
};

struct bss_server {
    bss_app *app;
    h2o_globalconf_t config;
    bss_router *router;
    bss_metrics *metrics;
    size_t nloops;
    bss_loop *loops;
    sem_t ready; /* posted by each loop thread once its h2o state exists */
    char *bad_request; /* the TMF 400 for what is not HTTP (h1guard.h) */
};

struct bss__write_job;

/* A request as the HTTP layer keeps it: the public part first. Lives in the h2o request pool. */
typedef struct bss__req {
    bss_req pub;
    size_t route_index;         /* metrics index; the router's count for unmatched */
    struct bss__write_job *job; /* the write in flight, if any */
    struct bss__req_guard *guard;
    struct bss__write_job *carry; /* the job whose done runs now: a job it defers inherits its counts */
} bss__req;

/* Sets up the per-request state and dispatches (server.c calls it from its h2o handler). */
int bss__http_dispatch(bss_loop *loop, h2o_req_t *req);
/* The receiver callback for write completions (server.c registers it). */
void bss__http_on_write_messages(h2o_multithread_receiver_t *rx, h2o_linklist_t *messages);

#endif
