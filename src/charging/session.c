/*
 * session.c: online charging (charging.h "Online charging"): the network
 * asks before and while a subscriber uses a service, and bss answers from
 * the line's balances, one writer job per request.
 *
 * A session holds, per service (rating group), the units used so far, what
 * they were charged and what they took from each bucket. Every report of
 * used units re-rates the session's whole usage as one event, against the
 * buckets as they were before the session took from them, and applies the
 * difference: so a connect fee is paid once, increments apply to the
 * whole, and the session costs exactly what the same usage costs as a CDR.
 * A grant is what the next units would add to that: reserved on the
 * buckets (balance_reservation, source 'session') until the quota's
 * validity ends, so concurrent sessions on one balance never spend more
 * than it holds. What the balance cannot cover is granted as final units;
 * nothing left is refused (4012).
 *
 * Idempotency: the answer to each (session, request number) is stored with
 * the request's changes (charging_request); the same request again gets
 * that answer and changes nothing. The requests and answers as JSON are
 * session_json.c's.
 */
#include <stdio.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"

static bss_db_val S(const char *s)
{
    return s && *s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

/* ---- the session's state ---- */

#define QUOTA_BUCKETS BSS_CHARGING_LINE_BUCKETS

typedef struct quota {
    bss_cdr_service service;
    int64_t rating_group;
    int64_t start_ms, used, charged;
    int64_t held; /* billed by the used and granted units, rated whole: against a spending cap */
    size_t nresv; /* the reservations of its grant: released when its service is reported again */
    char resv[QUOTA_BUCKETS][BSS_ID_LEN + 1];
    size_t ntakes;
    char take_bucket[QUOTA_BUCKETS][BSS_ID_MAX + 1];
    int64_t take_amount[QUOTA_BUCKETS];
} quota;

typedef struct session {
    bool found;
    bool resv_by_quota; /* the doc names each quota's reservations (every session since 0022) */
    char state[16];
    char msisdn[16], destination[21], visited[8];
    int64_t last_request, start_ms;
    int64_t answered; /* the highest request number answered (charging_request; -1: none) */
    size_t nquotas;
    quota quotas[BSS_CC_MAX_SERVICES * 2];
} session;

static const char SQL_SESSION[] =
    "SELECT msisdn, state, last_request, start_ms, doc FROM charging_session WHERE id = ?";
static const char SQL_ANSWERED[] =
    "SELECT COALESCE(MAX(request_number), -1) FROM charging_request WHERE session_id = ?";

static bss_err session_load(bss_db *db, const char *id, session *s, bss_errinfo *ei)
{
    memset(s, 0, sizeof *s);
    s->answered = -1;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_SESSION, BSS_DB_ARGS(S(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    json_t *doc = NULL;
    if (bss_db_next(rows)) {
        s->found = true;
        snprintf(s->msisdn, sizeof s->msisdn, "%s", bss_db_col_text(rows, 0, NULL) ?: "");
        snprintf(s->state, sizeof s->state, "%s", bss_db_col_text(rows, 1, NULL) ?: "");
        s->last_request = bss_db_col_int64(rows, 2);
        s->start_ms = bss_db_col_int64(rows, 3);
        const char *d = bss_db_col_text(rows, 4, NULL);
        if (d)
            (void)bss_json_parse(d, strlen(d), &doc, NULL);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc == BSS_OK)
        rc = bss_db_query_int64(db, SQL_ANSWERED, BSS_DB_ARGS(S(id)), &s->answered, ei);
    snprintf(s->destination, sizeof s->destination, "%s", json_string_value(json_object_get(doc, "destination")) ?: "");
    snprintf(s->visited, sizeof s->visited, "%s", json_string_value(json_object_get(doc, "visitedPlmn")) ?: "");
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(doc, "quotas"), i, q)
    {
        if (s->nquotas >= sizeof s->quotas / sizeof s->quotas[0])
            break;
        quota *t = &s->quotas[s->nquotas++];
        t->service = bss_cdr_service_parse(json_string_value(json_object_get(q, "service")));
        t->rating_group = json_integer_value(json_object_get(q, "ratingGroup"));
        t->start_ms = json_integer_value(json_object_get(q, "startMs"));
        t->used = json_integer_value(json_object_get(q, "used"));
        t->charged = json_integer_value(json_object_get(q, "chargedMicros"));
        t->held = json_integer_value(json_object_get(q, "heldBilledMicros"));
        const json_t *rs = json_object_get(q, "reservations");
        if (json_is_array(rs))
            s->resv_by_quota = true;
        size_t ri;
        json_t *rv;
        json_array_foreach(rs, ri, rv)
        {
            const char *rid = json_string_value(rv);
            if (rid && t->nresv < QUOTA_BUCKETS && strlen(rid) == BSS_ID_LEN)
                memcpy(t->resv[t->nresv++], rid, BSS_ID_LEN + 1);
        }
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(q, "takes"), k, v)
        {
            if (t->ntakes < QUOTA_BUCKETS) {
                snprintf(t->take_bucket[t->ntakes], sizeof t->take_bucket[0], "%s", k);
                t->take_amount[t->ntakes++] = json_integer_value(v);
            }
        }
    }
    json_decref(doc);
    if (s->nquotas == 0)
        s->resv_by_quota = true; /* nothing to release by quota: as a session written now says */
    return rc;
}

/*
 * A session as the resident lines keep it (bss_lines_session): its members
 * in a flat record, the quotas' strings with their lengths. The same
 * session packs to the same bytes, so --verify-lines compares records.
 */
typedef struct packer {
    uint8_t *p;
    size_t n, cap;
    bool failed;
} packer;

static void put(packer *k, const void *v, size_t n)
{
    if (k->failed)
        return;
    if (k->n + n > k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 512;
        while (cap < k->n + n)
            cap *= 2;
        uint8_t *p = bss_realloc(k->p, cap);
        if (!p) {
            k->failed = true;
            return;
        }
        k->p = p;
        k->cap = cap;
    }
    memcpy(k->p + k->n, v, n);
    k->n += n;
}

static void put_i64(packer *k, int64_t v)
{
    put(k, &v, sizeof v);
}

static void put_str(packer *k, const char *v)
{
    size_t n = strlen(v);
    uint8_t len = n < 255 ? (uint8_t)n : 255;
    put(k, &len, 1);
    put(k, v, len);
}

static void pack(packer *k, const session *s)
{
    uint8_t head[4] = {s->resv_by_quota, strcmp(s->state, "open") == 0, (uint8_t)s->nquotas, 0};
    put(k, head, sizeof head);
    put_str(k, s->msisdn);
    put_str(k, s->destination);
    put_str(k, s->visited);
    put_i64(k, s->last_request);
    put_i64(k, s->start_ms);
    put_i64(k, s->answered);
    for (size_t i = 0; i < s->nquotas; i++) {
        const quota *q = &s->quotas[i];
        uint8_t qh[4] = {(uint8_t)q->service, (uint8_t)q->nresv, (uint8_t)q->ntakes, 0};
        put(k, qh, sizeof qh);
        put_i64(k, q->rating_group);
        put_i64(k, q->start_ms);
        put_i64(k, q->used);
        put_i64(k, q->charged);
        put_i64(k, q->held);
        for (size_t j = 0; j < q->nresv; j++)
            put(k, q->resv[j], BSS_ID_LEN);
        for (size_t j = 0; j < q->ntakes; j++) {
            put_str(k, q->take_bucket[j]);
            put_i64(k, q->take_amount[j]);
        }
    }
}

typedef struct unpacker {
    const uint8_t *p;
    size_t n, at;
    bool failed;
} unpacker;

static void get(unpacker *u, void *v, size_t n)
{
    if (u->failed || n > u->n - u->at) {
        u->failed = true;
        memset(v, 0, n);
        return;
    }
    memcpy(v, u->p + u->at, n);
    u->at += n;
}

static int64_t get_i64(unpacker *u)
{
    int64_t v;
    get(u, &v, sizeof v);
    return v;
}

static void get_str(unpacker *u, char *out, size_t size)
{
    uint8_t len = 0;
    get(u, &len, 1);
    if (len >= size) {
        u->failed = true;
        len = 0;
    }
    get(u, out, len);
    out[len] = '\0';
}

/* Into s as bss_calloc left it (70 KB: not cleared again on every request); false: not a record pack made. */
static bool unpack(const void *rec, size_t len, session *s)
{
    unpacker u = {.p = rec, .n = len};
    uint8_t head[4];
    get(&u, head, sizeof head);
    s->found = true;
    s->resv_by_quota = head[0];
    snprintf(s->state, sizeof s->state, "%s", head[1] ? "open" : "closed");
    s->nquotas = head[2];
    if (s->nquotas > sizeof s->quotas / sizeof s->quotas[0])
        return false;
    get_str(&u, s->msisdn, sizeof s->msisdn);
    get_str(&u, s->destination, sizeof s->destination);
    get_str(&u, s->visited, sizeof s->visited);
    s->last_request = get_i64(&u);
    s->start_ms = get_i64(&u);
    s->answered = get_i64(&u);
    for (size_t i = 0; i < s->nquotas && !u.failed; i++) {
        quota *q = &s->quotas[i];
        uint8_t qh[4];
        get(&u, qh, sizeof qh);
        if (qh[1] > QUOTA_BUCKETS || qh[2] > QUOTA_BUCKETS)
            return false;
        q->service = (bss_cdr_service)qh[0];
        q->nresv = qh[1];
        q->ntakes = qh[2];
        q->rating_group = get_i64(&u);
        q->start_ms = get_i64(&u);
        q->used = get_i64(&u);
        q->charged = get_i64(&u);
        q->held = get_i64(&u);
        for (size_t j = 0; j < q->nresv; j++) {
            get(&u, q->resv[j], BSS_ID_LEN);
            q->resv[j][BSS_ID_LEN] = '\0';
        }
        for (size_t j = 0; j < q->ntakes; j++) {
            get_str(&u, q->take_bucket[j], sizeof q->take_bucket[j]);
            q->take_amount[j] = get_i64(&u);
        }
    }
    return !u.failed && u.at == u.n;
}

/* The session as the request found it: kept on the writer (its open sessions), else its row. */
static bss_err session_get(bss_db *db, const bss_cc_env *env, const char *id, session *s, bss_errinfo *ei)
{
    const void *rec = NULL;
    size_t len = 0;
    if (!bss_lines_session(env->lines, db, id, &rec, &len) || !unpack(rec, len, s))
        return session_load(db, id, s, ei); /* clears what a failed unpack left */
    if (!bss_lines_verifying(env->lines))
        return BSS_OK;
    session *row = bss_calloc(1, sizeof *row);
    if (!row)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = session_load(db, id, row, ei);
    packer a = {0}, b = {0};
    pack(&a, s);
    pack(&b, row);
    if (rc == BSS_OK && (a.failed || b.failed || a.n != b.n || memcmp(a.p, b.p, a.n) != 0)) {
        bss_lines_session_mismatch(env->lines, id, row->found ? "session" : "found");
        memcpy(s, row, sizeof *s);
    }
    bss_free(a.p);
    bss_free(b.p);
    bss_free(row);
    return rc;
}

/* Keeps s (as its row now is) on the writer while it is open. */
static void session_keep(bss_db *db, const bss_cc_env *env, const char *id, const session *s)
{
    if (!env->lines)
        return;
    if (strcmp(s->state, "open") != 0) {
        bss_lines_session_drop(env->lines, id);
        return;
    }
    packer k = {0};
    pack(&k, s);
    if (k.failed)
        bss_lines_session_drop(env->lines, id);
    else
        bss_lines_session_keep(env->lines, db, id, k.p, k.n);
    bss_free(k.p);
}

static char *session_doc(const session *s)
{
    json_t *qs = json_array();
    for (size_t i = 0; i < s->nquotas; i++) {
        const quota *q = &s->quotas[i];
        json_t *takes = json_object(), *resv = json_array();
        for (size_t k = 0; k < q->ntakes; k++)
            json_object_set_new(takes, q->take_bucket[k], json_integer(q->take_amount[k]));
        for (size_t k = 0; k < q->nresv; k++)
            json_array_append_new(resv, json_string(q->resv[k]));
        json_array_append_new(qs, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "service",
                                            bss_cdr_service_name(q->service), "ratingGroup",
                                            (json_int_t)q->rating_group, "startMs", (json_int_t)q->start_ms, "used",
                                            (json_int_t)q->used, "chargedMicros", (json_int_t)q->charged,
                                            "heldBilledMicros", (json_int_t)q->held, "reservations", resv, "takes",
                                            takes));
    }
    json_t *d = json_pack("{s:s, s:s, s:o}", "destination", s->destination, "visitedPlmn", s->visited, "quotas", qs);
    char *t = d ? json_dumps(d, BSS_JSON_DUMP_FLAGS) : NULL;
    json_decref(d);
    return t;
}

static quota *quota_of(session *s, const bss_cc_service *c, int64_t start_ms)
{
    for (size_t i = 0; i < s->nquotas; i++)
        if (s->quotas[i].service == c->service && s->quotas[i].rating_group == c->rating_group)
            return &s->quotas[i];
    if (s->nquotas >= sizeof s->quotas / sizeof s->quotas[0])
        return NULL;
    quota *q = &s->quotas[s->nquotas++];
    memset(q, 0, sizeof *q);
    q->service = c->service;
    q->rating_group = c->rating_group;
    q->start_ms = start_ms;
    return q;
}

/* ---- rating a quota ---- */

static int bucket_index(const bss_charging_line *l, const char *id)
{
    for (size_t k = 0; k < l->nbuckets; k++)
        if (strcmp(l->bucket_ids[k], id) == 0)
            return (int)k;
    return -1;
}

/* Gives back (sign +1) or takes again (-1) what q took, in memory. */
static void restore(bss_charging_line *l, const quota *q, int sign)
{
    for (size_t i = 0; i < q->ntakes; i++) {
        int k = bucket_index(l, q->take_bucket[i]);
        if (k < 0)
            continue; /* the bucket closed meanwhile */
        bss_rate_bucket *b = &l->buckets[k];
        if (!b->unlimited || b->service == BSS_SERVICE_NONE)
            b->value += sign * q->take_amount[i];
        if (b->service != BSS_SERVICE_NONE)
            b->used -= sign * q->take_amount[i];
    }
}

static bss_err rate_total(bss_charging_line *l, const session *s, const quota *q, int64_t quantity, bool overdraft,
                          bss_rate_result *res)
{
    memset(res, 0, sizeof *res);
    if (quantity <= 0)
        return BSS_OK;
    bss_charging_line_at(l, q->start_ms);
    l->line.overdraft = overdraft;
    bss_rate_input in = {.service = bss_cdr_catalog_service(q->service),
                         .quantity = quantity,
                         .destination = s->destination[0] ? s->destination : NULL,
                         .destination_len = strlen(s->destination),
                         .start_ms = q->start_ms,
                         .visited = s->visited[0] ? s->visited : NULL,
                         .visited_len = strlen(s->visited),
                         .rating_group = q->rating_group};
    char v[8] = "";
    if (s->visited[0]) {
        snprintf(v, sizeof v, "%.3s%s", s->visited, s->visited + 4);
        in.visited = v;
        in.visited_len = strlen(v);
    }
    return bss_charging_rate(&l->line, &in, res);
}

static int64_t take_of(const bss_rate_result *res, int k)
{
    int64_t a = 0;
    for (size_t i = 0; i < res->ntakes; i++)
        if (res->takes[i].bucket == k)
            a += res->takes[i].amount;
    return a;
}

/* Moves the session's takes from old (q) to new (res) in the store: one ledger row per bucket that changed. */
static bss_err commit_takes(bss_db *db, const bss_charging_line *l, quota *q, const bss_rate_result *res,
                            const char *sid, int64_t now_ms, bss_errinfo *ei)
{
    for (size_t k = 0; k < l->nbuckets; k++) {
        int64_t before = 0;
        for (size_t i = 0; i < q->ntakes; i++)
            if (strcmp(q->take_bucket[i], l->bucket_ids[k]) == 0)
                before = q->take_amount[i];
        int64_t now = take_of(res, (int)k), d = now - before;
        if (!d)
            continue;
        const bss_rate_bucket *b = &l->buckets[k];
        int64_t dv = (!b->unlimited || b->service == BSS_SERVICE_NONE) ? -d : 0;
        int64_t du = b->service != BSS_SERVICE_NONE ? d : 0;
        bss__ledger_src src = {.reason = d > 0 ? "usage" : "refund", .source_kind = "session", .source_id = sid};
        bss_err rc = bss__bucket_change(db, l->bucket_ids[k], dv, du, &src, now_ms, NULL, ei);
        if (rc != BSS_OK)
            return rc;
    }
    q->ntakes = 0;
    for (size_t i = 0; i < res->ntakes && q->ntakes < QUOTA_BUCKETS; i++) {
        const char *id = l->bucket_ids[res->takes[i].bucket];
        size_t j = 0;
        while (j < q->ntakes && strcmp(q->take_bucket[j], id) != 0)
            j++;
        if (j == q->ntakes) {
            snprintf(q->take_bucket[j], sizeof q->take_bucket[j], "%s", id);
            q->take_amount[j] = 0;
            q->ntakes++;
        }
        q->take_amount[j] += res->takes[i].amount;
    }
    q->charged = res->charge_micros;
    return BSS_OK;
}

static const char SQL_RELEASE[] = "UPDATE balance_reservation SET state = 'released', updated_ms = ? WHERE "
                                  "source_kind = 'session' AND source_id = ? AND state = 'active' RETURNING bucket_id";
static const char SQL_RELEASE_ONE[] = "UPDATE balance_reservation SET state = 'released', updated_ms = ? WHERE id = ? "
                                      "AND state = 'active' RETURNING bucket_id";
static const char SQL_EMPTY_ONE[] = "UPDATE balance_reservation SET amount = 0, updated_ms = ? WHERE id = ? AND "
                                    "state = 'active' RETURNING bucket_id";

/*
 * Releases a session's holds (hold_id NULL: a scan by the session's id)
 * or one hold, announcing each bucket that can give more again; the
 * resident line (lines, NULL: none) releases them too and stays current
 * through its own announcements. emptied (one hold; NULL: released): the
 * hold's row stays active with nothing held, for the request's grant on
 * the same bucket to fill in place (bss__reservation_refill), and its
 * bucket's id is copied to emptied ("" when the hold was not active).
 */
static bss_err release(bss_db *db, bss_lines *lines, int64_t now_ms, const char *session_id, const char *hold_id,
                       char *emptied, bss_errinfo *ei)
{
    uint64_t own = bss_lines_own_begin(lines);
    bss_lines_released(lines, hold_id ? NULL : session_id, hold_id);
    bss_db_rows *rows = NULL;
    if (emptied)
        emptied[0] = '\0';
    bss_err rc = bss_db_query(db, !hold_id ? SQL_RELEASE : emptied ? SQL_EMPTY_ONE : SQL_RELEASE_ONE,
                              BSS_DB_ARGS(BSS_DB_I64(now_ms), S(hold_id ? hold_id : session_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        const char *b = bss_db_col_text(rows, 0, NULL);
        bss_db_changed(db, BSS__BUCKET_TABLE, b, NULL);
        if (emptied)
            snprintf(emptied, BSS_ID_MAX + 1, "%s", b ? b : "");
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    bss_lines_own_end(lines, own);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "releasing holds failed");
}

/* Every hold of s: by the ids its quotas name, else (a session from before they did) by its id. */
static bss_err release_all(bss_db *db, bss_lines *lines, int64_t now_ms, session *s, const char *sid,
                           bss_errinfo *ei)
{
    bss_err rc = s->resv_by_quota ? BSS_OK : release(db, lines, now_ms, sid, NULL, NULL, ei);
    for (size_t i = 0; i < s->nquotas; i++) {
        for (size_t k = 0; rc == BSS_OK && s->resv_by_quota && k < s->quotas[i].nresv; k++)
            rc = release(db, lines, now_ms, sid, s->quotas[i].resv[k], NULL, ei);
        s->quotas[i].nresv = 0;
    }
    return rc;
}

/*
 * The holds a request empties before it grants again (release_holds):
 * each one's row is filled in place by the grant of its quota on its
 * bucket, and what no grant took is released at the end (release_unused).
 */
#define REFILL_MAX 64
typedef struct refills {
    size_t n;
    struct {
        size_t quota; /* index in the session */
        bool taken;
        char id[BSS_ID_LEN + 1];
        char bucket[BSS_ID_MAX + 1];
    } h[REFILL_MAX];
} refills;

/*
 * Before a request is charged, the holds it replaces go back: all of the
 * session's at its end (or for a session from before quotas named their
 * reservations), else those of the services it reports. A rating group the
 * request does not name keeps its grant until its validity ends, as RFC
 * 8506 lets a CCR-U carry only some Multiple-Services-Credit-Control.
 */
static bss_err release_holds(bss_db *db, const bss_cc_env *env, session *s, const bss_cc_request *r, int64_t now_ms,
                             refills *f, bss_errinfo *ei)
{
    f->n = 0;
    if (r->type == BSS_CC_TERMINATE || (s->found && !s->resv_by_quota))
        return release_all(db, env->lines, now_ms, s, r->session_id, ei);
    for (size_t i = 0; i < s->nquotas; i++) {
        quota *q = &s->quotas[i];
        bool named = false;
        for (size_t j = 0; j < r->nservices && !named; j++)
            named = r->services[j].service == q->service && r->services[j].rating_group == q->rating_group;
        for (size_t k = 0; named && k < q->nresv; k++) {
            char *bucket = f->n < REFILL_MAX ? f->h[f->n].bucket : NULL; /* full: released outright */
            bss_err rc = release(db, env->lines, now_ms, r->session_id, q->resv[k], bucket, ei);
            if (rc != BSS_OK)
                return rc;
            if (bucket && bucket[0]) {
                f->h[f->n].quota = i;
                f->h[f->n].taken = false;
                memcpy(f->h[f->n].id, q->resv[k], BSS_ID_LEN + 1);
                f->n++;
            }
        }
        if (named)
            q->nresv = 0;
    }
    return BSS_OK;
}

/* The emptied holds no grant filled: released (the resident line let them go when they were emptied). */
static bss_err release_unused(bss_db *db, const bss_cc_env *env, const refills *f, const char *sid, bss_errinfo *ei)
{
    bss_err rc = BSS_OK;
    for (size_t i = 0; rc == BSS_OK && i < f->n; i++)
        if (!f->h[i].taken)
            rc = release(db, env->lines, env->now_ms, sid, f->h[i].id, NULL, ei);
    return rc;
}

/*
 * The largest grant <= want the balance covers without going short
 * (prepaid) and, for a postpaid line with a spending cap, without billing
 * more than room this period; and its rating.
 */
static bool affordable(const bss_rate_result *r, int64_t room)
{
    return r->short_micros == 0 && r->billed_micros <= room;
}

static bss_err grant(bss_charging_line *l, const session *s, const quota *q, int64_t want, int64_t room,
                     int64_t *granted, bss_rate_result *res)
{
    bss_err rc = rate_total(l, s, q, q->used + want, false, res);
    if (rc != BSS_OK || affordable(res, room)) {
        *granted = rc == BSS_OK ? want : 0;
        return rc;
    }
    int64_t lo = 0, hi = want; /* lo covered, hi not */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        bss_rate_result r;
        if (rate_total(l, s, q, q->used + mid, false, &r) == BSS_OK && affordable(&r, room))
            lo = mid;
        else
            hi = mid;
    }
    *granted = lo;
    return lo > 0 ? rate_total(l, s, q, q->used + lo, false, res) : BSS_OK;
}

/*
 * One service of a request: commit what was used, grant what is asked.
 * cap_room: on a line with a spending cap, what the period may still bill
 * beyond its billed usage and the other open sessions' holds (INT64_MAX
 * without a cap); this session's other quotas hold their part of it.
 */
static bss_err service_step(bss_db *db, const bss_cc_env *env, bss_charging_line *l, session *s, bss_cc_service *c,
                            const char *sid, bool final, int64_t start_ms, int64_t cap_room, refills *f,
                            bss_errinfo *ei)
{
    quota *q = quota_of(s, c, start_ms);
    if (!q) {
        c->result = BSS_CC_RATING_FAILED;
        return BSS_OK;
    }
    restore(l, q, +1); /* the buckets as they were before the session */
    bss_rate_result used;
    int64_t total = q->used + c->used;
    bss_err rc = rate_total(l, s, q, total, true, &used);
    if (rc == BSS_E_NOT_FOUND || (rc == BSS_OK && total > 0 && !used.price)) {
        restore(l, q, -1);
        c->result = BSS_CC_RATING_FAILED;
        return BSS_OK;
    }
    if (rc != BSS_OK)
        return bss_fail(ei, rc, "services", "rating failed");
    int64_t charged_before = q->charged;
    if ((rc = commit_takes(db, l, q, &used, sid, env->now_ms, ei)) != BSS_OK)
        return rc;
    if ((rc = bss__thresholds(db, l, &used, env->base_url, env->now_ms, ei)) != BSS_OK)
        return rc;
    q->used = total;
    c->used_total = total;
    c->charged_micros = q->charged - charged_before;
    c->result = BSS_CC_SUCCESS;
    q->held = used.billed_micros;
    if (!final && c->requested > 0) {
        int64_t g = 0, room = cap_room;
        for (size_t j = 0; room != INT64_MAX && j < s->nquotas; j++)
            if (&s->quotas[j] != q)
                room -= s->quotas[j].held;
        bss_rate_result more;
        if ((rc = grant(l, s, q, c->requested, room, &g, &more)) == BSS_E_NOT_FOUND) {
            c->result = BSS_CC_RATING_FAILED;
            restore(l, q, -1);
            return BSS_OK;
        }
        if (rc != BSS_OK)
            return bss_fail(ei, rc, "services", "rating failed");
        c->granted = g;
        c->final_unit = g < c->requested;
        if (g > 0)
            q->held = more.billed_micros;
        c->validity_s = env->validity_ms / 1000;
        if (g == 0)
            c->result = BSS_CC_CREDIT_LIMIT;
        /* hold what the granted units would take beyond what is used: against other sessions */
        for (size_t k = 0; g > 0 && k < l->nbuckets; k++) {
            int64_t hold = take_of(&more, (int)k) - take_of(&used, (int)k);
            if (hold <= 0 || (l->buckets[k].unlimited && l->buckets[k].service != BSS_SERVICE_NONE))
                continue;
            char *rid = q->resv[q->nresv++]; /* one per bucket at most: nbuckets <= QUOTA_BUCKETS */
            int64_t filled = 0, until = env->now_ms + env->validity_ms;
            for (size_t h = 0; h < f->n && !filled; h++) { /* the quota's emptied hold on this bucket, in place */
                if (f->h[h].taken || f->h[h].quota != (size_t)(q - s->quotas) ||
                    strcmp(f->h[h].bucket, l->bucket_ids[k]) != 0)
                    continue;
                if ((rc = bss__reservation_refill(db, f->h[h].id, l->bucket_ids[k], hold, until, env->now_ms,
                                                  &filled, ei)) != BSS_OK)
                    return rc;
                f->h[h].taken = filled > 0;
                if (filled)
                    memcpy(rid, f->h[h].id, BSS_ID_LEN + 1);
            }
            if (!filled) {
                bss_id_new(env->now_ms, rid);
                if ((rc = bss__reservation_insert(db, rid, l->bucket_ids[k], hold, until, "session", sid,
                                                  env->now_ms, ei)) != BSS_OK)
                    return rc;
            }
            bss_lines_held(env->lines, l->bucket_ids[k], rid, hold, until, sid);
        }
    }
    restore(l, q, -1); /* the buckets as they are now, for the next service of the request */
    return BSS_OK;
}

static const char SQL_ANSWER[] = "SELECT answer FROM charging_request WHERE session_id = ? AND request_number = ?";
static const char SQL_ANSWER_INSERT[] =
    "INSERT INTO charging_request (session_id, request_number, answer, created_ms) VALUES (?, ?, ?, ?)";
static const char SQL_SESSION_INSERT[] =
    "INSERT INTO charging_session (id, msisdn, account_id, product_id, state, last_request, start_ms, expires_ms, "
    "doc, held_billed, created_ms, updated_ms, row_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
static const char SQL_SESSION_UPDATE[] =
    "UPDATE charging_session SET state = ?, last_request = ?, expires_ms = ?, doc = ?, held_billed = ?, "
    "updated_ms = ?, row_version = row_version + 1 WHERE id = ?";
static const char SQL_CAP_HELD[] =
    "SELECT COALESCE(SUM(held_billed), 0) FROM charging_session WHERE product_id = ? AND state = 'open' AND "
    "expires_ms > ? AND start_ms >= ? AND start_ms < ? AND id <> ?";

/*
 * What a capped line may still bill this period: the cap, less the period's
 * billed usage, less what the line's other open sessions hold (granted but
 * not yet reported). A session past its validity holds nothing: its
 * reservations went back too.
 */
static bss_err cap_room_of(bss_db *db, const bss_charging_line *l, const char *sid, int64_t start_ms, int64_t now_ms,
                           int64_t *room, bss_errinfo *ei)
{
    int64_t ps = 0, pe = 0, billed = 0, held = 0;
    bss_bill_period(start_ms, l->bill_cycle_day, &ps, &pe);
    bss_err rc = bss__line_billed(db, l, ps, &billed, ei);
    if (rc == BSS_OK)
        rc = bss_db_query_int64(db, SQL_CAP_HELD,
                                BSS_DB_ARGS(S(l->product_id), BSS_DB_I64(now_ms), BSS_DB_I64(ps), BSS_DB_I64(pe), S(sid)),
                                &held, ei);
    *room = l->spending_cap_micros - billed - held;
    return rc;
}

static bss_err store_answer(bss_db *db, bss_cc_request *r, int64_t now_ms, bss_errinfo *ei)
{
    json_t *a = bss_cc_answer_json(r);
    char *t = a ? json_dumps(a, BSS_JSON_DUMP_FLAGS) : NULL;
    json_decref(a);
    if (!t)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss_db_exec(db, SQL_ANSWER_INSERT,
                             BSS_DB_ARGS(S(r->session_id), BSS_DB_I64(r->request_number), S(t), BSS_DB_I64(now_ms)),
                             NULL, ei);
    bss_free(t);
    return rc;
}

/* The usage of a closed quota: one usage row (source online) and its running total. */
static bss_err quota_usage(bss_db *db, const bss_cc_env *env, bss_charging_line *l, const session *s, const quota *q,
                           const char *sid, bss_errinfo *ei)
{
    if (q->used <= 0)
        return BSS_OK;
    restore(l, q, +1);
    bss_rate_result res;
    bss_err rc = rate_total(l, s, q, q->used, true, &res);
    restore(l, q, -1);
    if (rc != BSS_OK)
        return BSS_OK; /* charged already; nothing to explain */
    int64_t ps = 0, pe = 0;
    bss_bill_period(q->start_ms, l->bill_cycle_day, &ps, &pe);
    char id[BSS_ID_LEN + 1];
    bss_id_new(env->now_ms, id);
    bss__usage_row row = {.id = id, .status = "rated", .source = "online", .source_ref = sid,
                          .start_ms = q->start_ms, .msisdn = l->msisdn, .service = q->service,
                          .destination = s->destination, .visited_plmn = s->visited, .quantity = q->used,
                          .rating_group = q->rating_group, .line = l, .res = &res, .period_start = ps,
                          .now_ms = env->now_ms};
    if ((rc = bss__usage_write(db, &row, ei)) != BSS_OK)
        return rc;
    bss__usage_total t = {.account_id = l->account_id, .product_id = l->product_id,
                          .price_id = res.price ? bss_price_id(res.price) : "", .zone = res.charge.zone,
                          .time_band = res.charge.band, .currency = l->currency, .last_usage_id = id,
                          .period_start = ps, .service = q->service, .events = 1, .quantity = q->used,
                          .rated_units = res.charge.rated_units, .covered_units = res.covered_units,
                          .charge = res.charge_micros, .wallet = res.wallet_micros, .billed = res.billed_micros,
                          .last_ms = q->start_ms};
    return bss__usage_total_add(db, &t, env->now_ms, ei);
}

/* A one-shot event: the units debited whole or not at all, or their price refunded to the wallet. */
static bss_err event_step(bss_db *db, const bss_cc_env *env, bss_charging_line *l, bss_cc_request *r,
                          bss_errinfo *ei)
{
    session s;
    memset(&s, 0, sizeof s);
    snprintf(s.destination, sizeof s.destination, "%s", r->destination);
    snprintf(s.visited, sizeof s.visited, "%s", r->visited_plmn);
    bss_cc_service *c = &r->services[0];
    int64_t at = r->event_ms ? r->event_ms : env->now_ms;
    quota *q = quota_of(&s, c, at);
    bss_rate_result res;
    bss_err rc = rate_total(l, &s, q, c->requested, false, &res);
    if (rc == BSS_E_NOT_FOUND || (rc == BSS_OK && !res.price)) {
        c->result = r->result = BSS_CC_RATING_FAILED;
        return BSS_OK;
    }
    if (rc != BSS_OK)
        return bss_fail(ei, rc, "services", "rating failed");
    if (r->action == BSS_CC_REFUND) {
        int w = -1;
        for (size_t k = 0; k < l->nbuckets && w < 0; k++)
            if (l->buckets[k].source == BSS_BUCKET_WALLET)
                w = (int)k;
        if (w < 0) {
            c->result = r->result = BSS_CC_NOT_APPLICABLE;
            snprintf(r->reason, sizeof r->reason, "line %s has no wallet to refund to", l->msisdn);
            return BSS_OK;
        }
        int64_t charge = res.charge.charge_micros; /* the price of the units, allowances aside */
        bss__ledger_src src = {.reason = "refund", .source_kind = "event", .source_id = r->session_id};
        if ((rc = bss__bucket_change(db, l->bucket_ids[w], charge, 0, &src, env->now_ms, NULL, ei)) != BSS_OK)
            return rc;
        l->buckets[w].value += charge; /* the line in memory as the row is (the resident lines keep it) */
        c->granted = c->requested;
        c->charged_micros = -charge;
        c->result = r->result = BSS_CC_SUCCESS;
        return BSS_OK;
    }
    if (res.short_micros > 0) {
        c->result = r->result = BSS_CC_CREDIT_LIMIT;
        snprintf(r->reason, sizeof r->reason, "the balance does not cover the event");
        return BSS_OK;
    }
    if ((rc = commit_takes(db, l, q, &res, r->session_id, env->now_ms, ei)) != BSS_OK)
        return rc;
    if ((rc = bss__thresholds(db, l, &res, env->base_url, env->now_ms, ei)) != BSS_OK)
        return rc;
    q->used = c->requested;
    restore(l, q, -1); /* the buckets as the event left them */
    rc = quota_usage(db, env, l, &s, q, r->session_id, ei);
    if (rc != BSS_OK)
        return rc;
    c->granted = c->requested;
    c->used_total = c->requested;
    c->charged_micros = res.charge_micros;
    c->result = r->result = BSS_CC_SUCCESS;
    return BSS_OK;
}

/* A replay: the answer stored for r, if any (r->replayed). */
static bss_err stored_answer(bss_db *db, bss_cc_request *r, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_ANSWER, BSS_DB_ARGS(S(r->session_id), BSS_DB_I64(r->request_number)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    json_t *prev = NULL;
    bool answered = bss_db_next(rows);
    if (answered) {
        const char *t = bss_db_col_text(rows, 0, NULL);
        rc = bss_json_parse(t ? t : "", t ? strlen(t) : 0, &prev, ei);
    }
    bss_db_rows_close(rows);
    if (rc != BSS_OK) /* answered before, but unreadable: never charged again */
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "the stored answer of request %lld of session %s is unreadable",
                        (long long)r->request_number, r->session_id);
    r->replayed = answered;
    if (prev) {
        bss__cc_answer_from_json(r, prev);
        json_decref(prev);
    }
    return BSS_OK;
}

/* r's answer stored; the session knows its highest answered number. */
static bss_err answer(bss_db *db, session *s, bss_cc_request *r, int64_t now_ms, bss_errinfo *ei)
{
    if (r->request_number > s->answered)
        s->answered = r->request_number;
    return store_answer(db, r, now_ms, ei);
}

bss_err bss_cc_handle(bss_db *db, const bss_cc_env *env, bss_cc_request *r, bss_errinfo *ei)
{
    session *s = bss_calloc(1, sizeof *s);
    bss_charging_line *l = bss_calloc(1, sizeof *l);
    if (!s || !l) {
        bss_free(s);
        bss_free(l);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    refills *f = NULL; /* the holds this request empties to grant again */
    r->replayed = false;
    s->answered = INT64_MAX; /* an event: its answer, if any, is looked for */
    bss_err rc = BSS_OK;
    if (r->type != BSS_CC_EVENT && (rc = session_get(db, env, r->session_id, s, ei)) != BSS_OK)
        goto done;
    /* a retransmission: the first answer, nothing changed (a number above the session's highest answered
     * one has none: the resident session spares the look) */
    if (r->request_number <= s->answered)
        rc = stored_answer(db, r, ei);
    if (rc != BSS_OK || r->replayed)
        goto done;
    for (size_t i = 0; i < r->nservices; i++) {
        bss_cc_service *c = &r->services[i];
        c->result = 0;
        c->granted = c->charged_micros = c->used_total = c->validity_s = 0;
        c->final_unit = false;
    }
    r->reason[0] = '\0';
    r->result = BSS_CC_SUCCESS;
    if (r->type == BSS_CC_INITIAL && s->found) {
        rc = bss_fail(ei, BSS_E_CONFLICT, "sessionId", "session %s exists: an initial request starts a new one",
                      r->session_id);
        goto out;
    }
    if ((r->type == BSS_CC_UPDATE || r->type == BSS_CC_TERMINATE) && (!s->found || strcmp(s->state, "open") != 0)) {
        r->result = BSS_CC_UNKNOWN_SESSION;
        snprintf(r->reason, sizeof r->reason, "%s", s->found ? "the session is closed" : "no such session");
        for (size_t i = 0; i < r->nservices; i++)
            r->services[i].result = BSS_CC_UNKNOWN_SESSION;
        rc = answer(db, s, r, env->now_ms, ei);
        goto out;
    }
    if ((r->type == BSS_CC_UPDATE || r->type == BSS_CC_TERMINATE) && r->request_number <= s->last_request) {
        rc = bss_fail(ei, BSS_E_CONFLICT, "requestNumber",
                      "request %lld of session %s comes after %lld: numbers only grow", (long long)r->request_number,
                      r->session_id, (long long)s->last_request);
        goto out;
    }
    const char *msisdn = s->found ? s->msisdn : r->msisdn;
    bss_errinfo lei;
    bss_errinfo_clear(&lei);
    /* a session's buckets are read below, once the holds this request replaces are released */
    rc = bss_lines_get(env->lines, db, env->cat, msisdn, env->now_ms, r->type == BSS_CC_EVENT, l, &lei);
    if (rc == BSS_E_NOT_FOUND || rc == BSS_E_INVALID ||
        (rc == BSS_OK && strcmp(l->status, "active") != 0 && strcmp(l->status, "suspended") != 0)) {
        r->result = rc == BSS_OK ? BSS_CC_SERVICE_DENIED : BSS_CC_USER_UNKNOWN;
        snprintf(r->reason, sizeof r->reason, rc == BSS_OK ? "line %s is not active" : "no live line has the number %s",
                 msisdn);
        for (size_t i = 0; i < r->nservices; i++)
            r->services[i].result = r->result;
        rc = answer(db, s, r, env->now_ms, ei);
        goto out;
    }
    if (rc != BSS_OK) {
        if (ei)
            *ei = lei;
        goto out;
    }
    if (strcmp(l->status, "suspended") == 0 && r->type != BSS_CC_TERMINATE &&
        !(r->type == BSS_CC_EVENT && r->action == BSS_CC_REFUND)) {
        r->result = BSS_CC_SERVICE_DENIED;
        snprintf(r->reason, sizeof r->reason, "line %s is suspended", msisdn);
        for (size_t i = 0; i < r->nservices; i++)
            r->services[i].result = r->result;
        rc = answer(db, s, r, env->now_ms, ei);
        goto out;
    }
    snprintf(r->currency, sizeof r->currency, "%s", l->currency);
    if (r->type == BSS_CC_EVENT) {
        if ((rc = event_step(db, env, l, r, ei)) == BSS_OK)
            rc = answer(db, s, r, env->now_ms, ei);
        goto out;
    }
    int64_t start = s->found ? s->start_ms : (r->event_ms ? r->event_ms : env->now_ms);
    if (!s->found) {
        snprintf(s->msisdn, sizeof s->msisdn, "%s", r->msisdn);
        snprintf(s->destination, sizeof s->destination, "%s", r->destination);
        snprintf(s->visited, sizeof s->visited, "%s", r->visited_plmn);
        s->start_ms = start;
    }
    /* the holds this request replaces no longer count against it: released, then granted again */
    if (!(f = bss_malloc(sizeof *f))) {
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    if ((rc = release_holds(db, env, s, r, env->now_ms, f, ei)) != BSS_OK)
        goto out;
    if ((rc = bss_lines_buckets(env->lines, db, l, env->now_ms, ei)) != BSS_OK)
        goto out;
    bool final = r->type == BSS_CC_TERMINATE;
    int64_t cap_room = INT64_MAX;
    if (!final && l->spending_cap_micros > 0 && !l->line.prepaid &&
        (rc = cap_room_of(db, l, r->session_id, start, env->now_ms, &cap_room, ei)) != BSS_OK)
        goto out;
    int worst = BSS_CC_SUCCESS;
    for (size_t i = 0; i < r->nservices && rc == BSS_OK; i++) {
        rc = service_step(db, env, l, s, &r->services[i], r->session_id, final, start, cap_room, f, ei);
        if (rc == BSS_OK && r->services[i].result != BSS_CC_SUCCESS && worst == BSS_CC_SUCCESS)
            worst = r->services[i].result;
    }
    if (rc == BSS_OK)
        rc = release_unused(db, env, f, r->session_id, ei);
    if (rc != BSS_OK)
        goto out;
    /* one service refused among granted ones: the request still succeeds (per-service result codes) */
    r->result = r->nservices == 1 ? worst : BSS_CC_SUCCESS;
    if (final)
        for (size_t i = 0; i < s->nquotas && rc == BSS_OK; i++)
            rc = quota_usage(db, env, l, s, &s->quotas[i], r->session_id, ei);
    if (final && rc == BSS_OK) {
        int64_t ps = 0, pe = 0;
        bss_bill_period(s->start_ms, l->bill_cycle_day, &ps, &pe);
        if (env->bill_shock_micros > 0)
            rc = bss__bill_shock(db, l, ps, env->bill_shock_micros, env->base_url, env->now_ms, ei);
        if (rc == BSS_OK)
            rc = bss__spending_cap(db, l, ps, env->base_url, env->now_ms, ei);
    }
    if (rc != BSS_OK)
        goto out;
    const char *state = final ? "closed" : "open";
    snprintf(s->state, sizeof s->state, "%s", state);
    s->last_request = r->request_number;
    s->resv_by_quota = true; /* as the doc says now */
    char *doc = session_doc(s);
    if (!doc) {
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    int64_t expires = env->now_ms + env->validity_ms, held = 0;
    for (size_t i = 0; !final && i < s->nquotas; i++)
        held += s->quotas[i].held;
    if (r->type == BSS_CC_INITIAL)
        rc = bss_db_exec(db, SQL_SESSION_INSERT,
                         BSS_DB_ARGS(S(r->session_id), S(s->msisdn), S(l->account_id), S(l->product_id), S(state),
                                     BSS_DB_I64(r->request_number), BSS_DB_I64(start), BSS_DB_I64(expires), S(doc),
                                     BSS_DB_I64(held), BSS_DB_I64(env->now_ms), BSS_DB_I64(env->now_ms)),
                         NULL, ei);
    else
        rc = bss_db_exec(db, SQL_SESSION_UPDATE,
                         BSS_DB_ARGS(S(state), BSS_DB_I64(r->request_number), BSS_DB_I64(expires), S(doc),
                                     BSS_DB_I64(held), BSS_DB_I64(env->now_ms), S(r->session_id)),
                         NULL, ei);
    bss_free(doc);
    if (rc == BSS_OK)
        rc = answer(db, s, r, env->now_ms, ei);
    s->found = rc == BSS_OK;
out:
    if (rc == BSS_OK) {
        bss_lines_put(env->lines, l); /* the line's buckets in memory as this request left the rows */
        if (s->found)
            session_keep(db, env, r->session_id, s); /* and the session as its row is */
    }
done:
    bss_free(f);
    bss_free(s);
    bss_free(l);
    return rc;
}

/* ---- supervision: sessions the network forgot ---- */

static const char SQL_IDLE[] =
    "SELECT id FROM charging_session WHERE state = 'open' AND expires_ms <= ? ORDER BY expires_ms, id LIMIT 100";
static const char SQL_CLOSE[] = "UPDATE charging_session SET state = 'closed', held_billed = 0, updated_ms = ?, "
                                "row_version = row_version + 1 WHERE id = ? AND state = 'open'";

bss_err bss_cc_sweep(bss_db *db, const bss_cc_env *env, int64_t idle_before_ms, int *closed, bss_errinfo *ei)
{
    *closed = 0;
    char ids[100][BSS_CC_SESSION_ID_MAX + 1];
    size_t n = 0;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_IDLE, BSS_DB_ARGS(BSS_DB_I64(idle_before_ms)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (n < 100 && bss_db_next(rows))
        snprintf(ids[n++], sizeof ids[0], "%s", bss_db_col_text(rows, 0, NULL) ?: "");
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    session *s = bss_calloc(1, sizeof *s);
    bss_charging_line *l = bss_calloc(1, sizeof *l);
    if (!s || !l)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == BSS_OK && i < n; i++) {
        if ((rc = session_load(db, ids[i], s, ei)) != BSS_OK || !s->found)
            continue;
        bss_errinfo lei;
        /* what it used is charged already; its usage rows are written as at a terminate */
        if (bss_charging_line_load(db, env->cat, s->msisdn, env->now_ms, l, &lei) == BSS_OK)
            for (size_t q = 0; rc == BSS_OK && q < s->nquotas; q++)
                rc = quota_usage(db, env, l, s, &s->quotas[q], ids[i], ei);
        if (rc == BSS_OK)
            rc = release_all(db, NULL, env->now_ms, s, ids[i], ei); /* not through the resident lines */
        if (rc == BSS_OK)
            rc = bss_db_exec(db, SQL_CLOSE, BSS_DB_ARGS(BSS_DB_I64(env->now_ms), S(ids[i])), NULL, ei);
        if (rc == BSS_OK) {
            bss_db_changed(db, BSS__SESSION_TABLE, ids[i], NULL); /* no longer open on the writer */
            ++*closed;
        }
    }
    bss_free(s);
    bss_free(l);
    return rc;
}

/* ---- what sessions leave behind ---- */

static const char SQL_PURGE_HOLDS[] =
    "DELETE FROM balance_reservation WHERE id IN (SELECT id FROM balance_reservation WHERE state = 'released' AND "
    "source_kind = 'session' AND updated_ms < ? ORDER BY updated_ms LIMIT ?)";
static const char SQL_PURGE_ANSWERS[] =
    "DELETE FROM charging_request WHERE (session_id, request_number) IN (SELECT r.session_id, r.request_number "
    "FROM charging_request r JOIN charging_session s ON s.id = r.session_id WHERE r.created_ms < ? AND "
    "(s.state = 'closed' OR r.request_number < s.last_request) ORDER BY r.created_ms LIMIT ?)";

bss_err bss_cc_purge(bss_db *db, int64_t now_ms, int *holds, int *answers, bss_errinfo *ei)
{
    int64_t h = 0, a = 0;
    *holds = *answers = 0;
    bss_err rc = bss_db_exec(db, SQL_PURGE_HOLDS,
                             BSS_DB_ARGS(BSS_DB_I64(now_ms - BSS_CC_KEEP_HOLDS_MS), BSS_DB_I64(BSS_CC_PURGE_BATCH)), &h,
                             ei);
    if (rc == BSS_OK)
        rc = bss_db_exec(db, SQL_PURGE_ANSWERS,
                         BSS_DB_ARGS(BSS_DB_I64(now_ms - BSS_CC_KEEP_ANSWERS_MS), BSS_DB_I64(BSS_CC_PURGE_BATCH)), &a,
                         ei);
    *holds = (int)h;
    *answers = (int)a;
    return rc;
}
