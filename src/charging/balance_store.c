/*
 * balance_store.c: the SQL of balances (migration 0016), behind the
 * bss__bucket_ functions of charging_int.h. Written once for SQLite and
 * PostgreSQL (`?` placeholders, BIGINT and TEXT), each statement a static
 * literal so a connection prepares it once. A bucket's value only ever
 * changes together with a ledger row that says by how much and why, in
 * the same transaction: the value is always the sum of its ledger.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/mem.h"
#include "core/money.h"

static bss_db_val S(const char *s)
{
    return s && *s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static const char *const usage_types[] = {"monetary", "voice", "sms", "data", "event"};
static const char *const units[] = {"", "s", "msg", "byte", "event"};

const char *bss__usage_type_name(bss_service s)
{
    return s >= BSS_SERVICE_NONE && s <= BSS_SERVICE_EVENT ? usage_types[s] : "";
}

bool bss__usage_type_parse(const char *name, bss_service *out)
{
    for (int i = 0; name && i <= BSS_SERVICE_EVENT; i++)
        if (strcmp(name, usage_types[i]) == 0) {
            *out = (bss_service)i;
            return true;
        }
    return false;
}

const char *bss__service_unit(bss_service s)
{
    return s >= BSS_SERVICE_NONE && s <= BSS_SERVICE_EVENT ? units[s] : "";
}

static bool in_range(int64_t v)
{
    return v >= -BSS__BUCKET_MAX_VALUE && v <= BSS__BUCKET_MAX_VALUE;
}

bss_err bss__bucket_check(const bss__bucket *b, bss_errinfo *ei)
{
    if (!b->account_id[0])
        return bss_fail(ei, BSS_E_INVALID, "partyAccount.id", "a bucket belongs to a billing account: partyAccount.id is required");
    if (b->service == BSS_SERVICE_NONE) {
        if (!bss_currency_find(b->unit))
            return bss_fail(ei, BSS_E_INVALID, "unit", "a monetary bucket's unit is an ISO 4217 currency code (EUR), not '%s'",
                            b->unit);
    } else if (b->service > BSS_SERVICE_EVENT) {
        return bss_fail(ei, BSS_E_INVALID, "usageType", "usageType is one of monetary, voice, sms, data, event");
    } else if (strcmp(b->unit, bss__service_unit(b->service)) != 0) {
        return bss_fail(ei, BSS_E_INVALID, "unit", "a %s bucket counts in %s, not '%s'", bss__usage_type_name(b->service),
                        bss__service_unit(b->service), b->unit);
    }
    if (!bss_bucket_source_name(b->source)[0])
        return bss_fail(ei, BSS_E_INVALID, "source", "source is one of promotion, plan, addon, shared, wallet");
    if (b->source == BSS_BUCKET_WALLET && b->service != BSS_SERVICE_NONE)
        return bss_fail(ei, BSS_E_INVALID, "source", "a wallet holds money: its usageType is monetary");
    if (b->priority < 0 || b->priority > 10000)
        return bss_fail(ei, BSS_E_INVALID, "priority", "priority is an integer 0..10000 (lower is consumed first)");
    if (!in_range(b->value) || !in_range(b->initial))
        return bss_fail(ei, BSS_E_RANGE, "remainedAmount", "a bucket holds at most 10^15 (micro-units or base units)");
    if (b->service != BSS_SERVICE_NONE && b->value < 0)
        return bss_fail(ei, BSS_E_INVALID, "remainedAmount", "a unit bucket cannot hold less than 0");
    if (b->valid_to_ms <= b->valid_from_ms)
        return bss_fail(ei, BSS_E_INVALID, "validFor.endDateTime", "validFor.endDateTime must be after its startDateTime");
    static const char *const states[] = {"active", "expired", "suspended", "closed"};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(b->status, states[i]) == 0)
            return BSS_OK;
    return bss_fail(ei, BSS_E_INVALID, "status", "status is one of active, expired, suspended, closed");
}

static const char SQL_INSERT[] =
    "INSERT INTO bucket (id, account_id, product_id, msisdn, usage_type, unit, source, price_id, price_version, "
    "priority, value, initial_value, used, unlimited, valid_from, valid_to, status, doc, created_ms, updated_ms, "
    "row_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
static const char SQL_LEDGER[] = "INSERT INTO balance_ledger (id, bucket_id, at_ms, delta, value_after, reason, "
                                 "source_kind, source_id, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_CHANGE[] =
    "UPDATE bucket SET value = value + ?, used = used + ?, updated_ms = ?, row_version = row_version + 1 "
    "WHERE id = ? AND value + ? BETWEEN -1000000000000000 AND 1000000000000000";
static const char SQL_VALUE[] = "SELECT value FROM bucket WHERE id = ?";
static const char SQL_SUM[] = "SELECT COALESCE(SUM(delta), 0), COUNT(*) FROM balance_ledger WHERE bucket_id = ?";

static bss_err ledger(bss_db *db, const char *bucket, int64_t delta, int64_t after, const bss__ledger_src *src,
                      int64_t now_ms, bss_errinfo *ei)
{
    char id[BSS_ID_LEN + 1];
    bss_id_new(now_ms, id);
    const char *reason = src && src->reason ? src->reason : "create";
    int64_t events = src && src->events > 0 ? src->events : 1;
    return bss_db_exec(db, SQL_LEDGER,
                       BSS_DB_ARGS(S(id), S(bucket), BSS_DB_I64(now_ms), BSS_DB_I64(delta), BSS_DB_I64(after),
                                   S(reason), S(src ? src->source_kind : NULL), S(src ? src->source_id : NULL),
                                   BSS_DB_I64(events)),
                       NULL, ei);
}

bss_err bss__bucket_insert(bss_db *db, const bss__bucket *b, const char *doc, const bss__ledger_src *src,
                           int64_t now_ms, bss_errinfo *ei)
{
    bss_err rc = bss__bucket_check(b, ei);
    if (rc != BSS_OK)
        return rc;
    bss_db_val from = b->valid_from_ms == INT64_MIN ? BSS_DB_NIL : BSS_DB_I64(b->valid_from_ms);
    bss_db_val to = b->valid_to_ms == INT64_MAX ? BSS_DB_NIL : BSS_DB_I64(b->valid_to_ms);
    rc = bss_db_exec(db, SQL_INSERT,
                     BSS_DB_ARGS(S(b->id), S(b->account_id), S(b->product_id), S(b->msisdn),
                                 S(bss__usage_type_name(b->service)), S(b->unit), S(bss_bucket_source_name(b->source)),
                                 S(b->price_id), S(b->price_version), BSS_DB_I64(b->priority), BSS_DB_I64(b->initial),
                                 BSS_DB_I64(b->used), BSS_DB_I64(b->unlimited ? 1 : 0), from, to, S(b->status), S(doc),
                                 BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)),
                     NULL, ei);
    if (rc != BSS_OK)
        return rc;
    /* caches of an account's buckets (the resident lines) read them again */
    bss_db_changed(db, BSS__BUCKET_ACCOUNT_TABLE, b->account_id, NULL);
    bss__ledger_src first = src ? *src : (bss__ledger_src){0};
    if (!first.reason)
        first.reason = "create";
    return bss__bucket_change(db, b->id, b->value, 0, &first, now_ms, NULL, ei);
}

bss_err bss__bucket_change(bss_db *db, const char *id, int64_t delta, int64_t used_delta,
                           const bss__ledger_src *src, int64_t now_ms, int64_t *after, bss_errinfo *ei)
{
    if (!in_range(delta))
        return bss_fail(ei, BSS_E_RANGE, "amount", "a change of a bucket is at most 10^15");
    int64_t changes = 0;
    bss_err rc = bss_db_exec(db, SQL_CHANGE,
                             BSS_DB_ARGS(BSS_DB_I64(delta), BSS_DB_I64(used_delta), BSS_DB_I64(now_ms), S(id),
                                         BSS_DB_I64(delta)),
                             &changes, ei);
    if (rc != BSS_OK)
        return rc;
    bss_db_changed(db, BSS__BUCKET_TABLE, id, NULL);
    int64_t value = 0;
    rc = bss_db_query_int64(db, SQL_VALUE, BSS_DB_ARGS(S(id)), &value, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_NOT_FOUND, "bucket.id", "no bucket with id %s", id);
    if (rc != BSS_OK)
        return rc;
    if (changes == 0)
        return bss_fail(ei, BSS_E_RANGE, "amount", "the change would take bucket %s beyond 10^15", id);
    if (after)
        *after = value;
    return ledger(db, id, delta, value, src, now_ms, ei);
}

#define BUCKET_COLS                                                                                          \
    "id, account_id, product_id, msisdn, usage_type, unit, source, price_id, price_version, priority, value, "    \
    "initial_value, used, unlimited, valid_from, valid_to, status, created_ms, updated_ms, row_version, doc, "     \
    "(SELECT COALESCE(SUM(amount), 0) FROM balance_reservation r WHERE r.bucket_id = bucket.id AND "             \
    "r.state = 'active' AND r.expires_ms > ?)"

static void read_row(bss_db_rows *rows, bss__bucket *out, const char **doc)
{
    memset(out, 0, sizeof *out);
    copy(out->id, sizeof out->id, bss_db_col_text(rows, 0, NULL));
    copy(out->account_id, sizeof out->account_id, bss_db_col_text(rows, 1, NULL));
    copy(out->product_id, sizeof out->product_id, bss_db_col_text(rows, 2, NULL));
    copy(out->msisdn, sizeof out->msisdn, bss_db_col_text(rows, 3, NULL));
    bss__usage_type_parse(bss_db_col_text(rows, 4, NULL), &out->service);
    copy(out->unit, sizeof out->unit, bss_db_col_text(rows, 5, NULL));
    out->source = bss_bucket_source_parse(bss_db_col_text(rows, 6, NULL));
    copy(out->price_id, sizeof out->price_id, bss_db_col_text(rows, 7, NULL));
    copy(out->price_version, sizeof out->price_version, bss_db_col_text(rows, 8, NULL));
    out->priority = (int)bss_db_col_int64(rows, 9);
    out->value = bss_db_col_int64(rows, 10);
    out->initial = bss_db_col_int64(rows, 11);
    out->used = bss_db_col_int64(rows, 12);
    out->unlimited = bss_db_col_int64(rows, 13) != 0;
    out->valid_from_ms = bss_db_col_null(rows, 14) ? INT64_MIN : bss_db_col_int64(rows, 14);
    out->valid_to_ms = bss_db_col_null(rows, 15) ? INT64_MAX : bss_db_col_int64(rows, 15);
    copy(out->status, sizeof out->status, bss_db_col_text(rows, 16, NULL));
    out->created_ms = bss_db_col_int64(rows, 17);
    out->updated_ms = bss_db_col_int64(rows, 18);
    out->row_version = bss_db_col_int64(rows, 19);
    if (doc)
        *doc = bss_db_col_text(rows, 20, NULL);
    out->reserved = bss_db_col_int64(rows, 21);
}

static const char SQL_GET_AT[] = "SELECT " BUCKET_COLS " FROM bucket WHERE id = ?";

bss_err bss__bucket_read(bss_db *db, const char *id, int64_t now_ms, bss__bucket *out, char **doc, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    if (doc)
        *doc = NULL;
    bss_err rc = bss_db_query(db, SQL_GET_AT, BSS_DB_ARGS(BSS_DB_I64(now_ms), S(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (!bss_db_next(rows)) {
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
        return rc != BSS_OK ? bss_fail(ei, rc, NULL, "reading bucket %s failed", id)
                            : bss_fail(ei, BSS_E_NOT_FOUND, "id", "no bucket with id %s", id);
    }
    const char *d = NULL;
    read_row(rows, out, &d);
    if (doc && d)
        *doc = bss_strdup(d);
    bss_db_rows_close(rows);
    return BSS_OK;
}

bss_err bss__bucket_get(bss_db *db, const char *id, bss__bucket *out, bss_errinfo *ei)
{
    return bss__bucket_read(db, id, 0, out, NULL, ei);
}

/*
 * The list's statement names only the filters given, so each uses its index
 * (bucket_account, bucket_msisdn, bucket_product): "(? IS NULL OR col = ?)"
 * would read the whole table for every line loaded. One statement text per
 * set of filters, built once, so a connection still prepares each once.
 */
static const char *const list_cols[] = {"id = ?",         "status = ?",     "usage_type = ?", "account_id = ?",
                                        "msisdn = ?",     "product_id = ?", "price_id = ?",
                                        /* the common one as a literal: bound, it would let SQLite weigh the partial
                                         * index bucket_active_to against the value and prepare again at every bind */
                                        "status = 'active'"};
#define LIST_FILTERS (sizeof list_cols / sizeof list_cols[0])
#define LIST_ACTIVE 7
static char list_sql[1 << LIST_FILTERS][sizeof BUCKET_COLS + 320], count_sql[1 << LIST_FILTERS][320];
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

static void list_init(void)
{
    for (unsigned m = 0; m < 1u << LIST_FILTERS; m++) {
        char where[256] = "";
        size_t at = 0;
        for (unsigned k = 0; k < LIST_FILTERS; k++)
            if (m & (1u << k))
                at += (size_t)snprintf(where + at, sizeof where - at, "%s%s", at ? " AND " : " WHERE ", list_cols[k]);
        snprintf(list_sql[m], sizeof list_sql[m], "SELECT " BUCKET_COLS " FROM bucket%s ORDER BY id LIMIT ? OFFSET ?",
                 where);
        snprintf(count_sql[m], sizeof count_sql[m], "SELECT COUNT(*) FROM bucket%s", where);
    }
}

bss_err bss__bucket_list(bss_db *db, const bss__bucket_filter *f, int64_t now_ms, bss__bucket_each_fn each, void *arg,
                         int64_t *total, bss_errinfo *ei)
{
    pthread_once(&list_once, list_init);
    bool active = f->status && strcmp(f->status, "active") == 0;
    const char *given[LIST_FILTERS - 1] = {f->id,     active ? NULL : f->status, f->usage_type, f->account_id,
                                           f->msisdn, f->product_id,             f->price_id};
    bss_db_val v[LIST_FILTERS + 3];
    size_t n = 0;
    unsigned m = active ? 1u << LIST_ACTIVE : 0;
    v[n++] = BSS_DB_I64(now_ms);
    for (unsigned k = 0; k < LIST_FILTERS - 1; k++)
        if (given[k] && *given[k]) {
            m |= 1u << k;
            v[n++] = S(given[k]);
        }
    bss_err rc = total ? bss_db_query_int64(db, count_sql[m], v + 1, n - 1, total, ei) : BSS_OK; /* NULL: not counted */
    if (rc != BSS_OK)
        return rc;
    v[n++] = BSS_DB_I64(f->limit);
    v[n++] = BSS_DB_I64(f->offset);
    bss_db_rows *rows = NULL;
    rc = bss_db_query(db, list_sql[m], v, n, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (rc == BSS_OK && bss_db_next(rows)) {
        bss__bucket b;
        const char *doc = NULL;
        read_row(rows, &b, &doc);
        rc = each(arg, &b, doc, ei);
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "listing buckets failed");
    bss_db_rows_close(rows);
    return rc;
}

/* ---- the ledger as history: one statement per anchor, so each uses its index ---- */

#define LEDGER_SELECT(what)                                                                                  \
    "SELECT " what " FROM bucket b JOIN balance_ledger l ON l.bucket_id = b.id WHERE "
#define LEDGER_COLS                                                                                          \
    "l.id, l.bucket_id, l.at_ms, l.delta, l.value_after, l.events, l.reason, l.source_kind, l.source_id, "        \
    "b.account_id, b.product_id, b.msisdn, b.usage_type, b.unit"
#define LEDGER_WHERE                                                                                         \
    " AND (CAST(? AS TEXT) IS NULL OR l.id = ?) AND (CAST(? AS TEXT) IS NULL OR b.id = ?) AND "                 \
    "(CAST(? AS TEXT) IS NULL OR b.account_id = ?) AND (CAST(? AS TEXT) IS NULL OR b.msisdn = ?) AND "            \
    "(CAST(? AS TEXT) IS NULL OR l.reason = ?) AND (CAST(? AS TEXT) IS NULL OR b.usage_type = ?) AND "            \
    "l.at_ms >= ? AND l.at_ms < ?"
#define LEDGER_PAGE " ORDER BY l.at_ms DESC, l.id DESC LIMIT ? OFFSET ?"
#define LEDGER_PAIR(anchor)                                                                                  \
    {LEDGER_SELECT(LEDGER_COLS) anchor LEDGER_WHERE LEDGER_PAGE, LEDGER_SELECT("COUNT(*)") anchor LEDGER_WHERE}
static const char *const SQL_LEDGER_READ[4][2] = {LEDGER_PAIR("l.id = ?"), LEDGER_PAIR("b.id = ?"),
                                                  LEDGER_PAIR("b.account_id = ?"), LEDGER_PAIR("b.msisdn = ?")};

bss_err bss__ledger_list(bss_db *db, const bss__ledger_filter *f, bss__ledger_each_fn each, void *arg, int64_t *total,
                         bss_errinfo *ei)
{
    const char *anchors[4] = {f->id, f->bucket_id, f->account_id, f->msisdn};
    int a = 0;
    while (a < 4 && !(anchors[a] && *anchors[a]))
        a++;
    if (a == 4)
        return bss_fail(ei, BSS_E_INVALID, "bucket.id",
                        "a balance history is of a bucket (bucket.id), an account (partyAccount.id) or a line "
                        "(logicalResource.id)");
#define FARGS                                                                                                \
    S(anchors[a]), S(f->id), S(f->id), S(f->bucket_id), S(f->bucket_id), S(f->account_id), S(f->account_id),     \
        S(f->msisdn), S(f->msisdn), S(f->reason), S(f->reason), S(f->usage_type), S(f->usage_type),               \
        BSS_DB_I64(f->from_ms), BSS_DB_I64(f->to_ms)
    bss_err rc = bss_db_query_int64(db, SQL_LEDGER_READ[a][1], BSS_DB_ARGS(FARGS), total, ei);
    if (rc != BSS_OK)
        return rc;
    bss_db_rows *rows = NULL;
    rc = bss_db_query(db, SQL_LEDGER_READ[a][0], BSS_DB_ARGS(FARGS, BSS_DB_I64(f->limit), BSS_DB_I64(f->offset)),
                      &rows, ei);
#undef FARGS
    if (rc != BSS_OK)
        return rc;
    while (rc == BSS_OK && bss_db_next(rows)) {
        bss__ledger_row r;
        memset(&r, 0, sizeof r);
        copy(r.id, sizeof r.id, bss_db_col_text(rows, 0, NULL));
        copy(r.bucket_id, sizeof r.bucket_id, bss_db_col_text(rows, 1, NULL));
        r.at_ms = bss_db_col_int64(rows, 2);
        r.delta = bss_db_col_int64(rows, 3);
        r.value_after = bss_db_col_int64(rows, 4);
        r.events = bss_db_col_int64(rows, 5);
        copy(r.reason, sizeof r.reason, bss_db_col_text(rows, 6, NULL));
        copy(r.source_kind, sizeof r.source_kind, bss_db_col_text(rows, 7, NULL));
        copy(r.source_id, sizeof r.source_id, bss_db_col_text(rows, 8, NULL));
        copy(r.account_id, sizeof r.account_id, bss_db_col_text(rows, 9, NULL));
        copy(r.product_id, sizeof r.product_id, bss_db_col_text(rows, 10, NULL));
        copy(r.msisdn, sizeof r.msisdn, bss_db_col_text(rows, 11, NULL));
        if (!bss__usage_type_parse(bss_db_col_text(rows, 12, NULL), &r.service))
            r.service = BSS_SERVICE_NONE;
        copy(r.unit, sizeof r.unit, bss_db_col_text(rows, 13, NULL));
        rc = each(arg, &r, ei);
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading the balance ledger failed");
    bss_db_rows_close(rows);
    return rc;
}

static const char SQL_STATUS[] =
    "UPDATE bucket SET status = ?, updated_ms = ?, row_version = row_version + 1 WHERE id = ?";

bss_err bss__bucket_set_status(bss_db *db, const char *id, const char *status, int64_t now_ms, bss_errinfo *ei)
{
    int64_t changes = 0;
    bss_err rc = bss_db_exec(db, SQL_STATUS, BSS_DB_ARGS(S(status), BSS_DB_I64(now_ms), S(id)), &changes, ei);
    bss_db_changed(db, BSS__BUCKET_TABLE, id, NULL);
    if (rc == BSS_OK && changes == 0)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no bucket with id %s", id);
    return rc;
}

static const char SQL_RES_INSERT[] =
    "INSERT INTO balance_reservation (id, bucket_id, amount, expires_ms, state, source_kind, source_id, "
    "created_ms, updated_ms) VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?)";

bss_err bss__reservation_insert(bss_db *db, const char *id, const char *bucket, int64_t amount, int64_t expires_ms,
                                const char *source_kind, const char *source_id, int64_t now_ms, bss_errinfo *ei)
{
    bss_db_changed(db, BSS__BUCKET_TABLE, bucket, NULL); /* what it can give changed */
    return bss_db_exec(db, SQL_RES_INSERT,
                       BSS_DB_ARGS(S(id), S(bucket), BSS_DB_I64(amount), BSS_DB_I64(expires_ms), S(source_kind),
                                   S(source_id), BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)),
                       NULL, ei);
}

static const char SQL_RES_REFILL[] = "UPDATE balance_reservation SET amount = ?, expires_ms = ?, updated_ms = ? WHERE "
                                     "id = ? AND bucket_id = ? AND state = 'active'";

bss_err bss__reservation_refill(bss_db *db, const char *id, const char *bucket, int64_t amount, int64_t expires_ms,
                                int64_t now_ms, int64_t *changed, bss_errinfo *ei)
{
    bss_db_changed(db, BSS__BUCKET_TABLE, bucket, NULL);
    return bss_db_exec(db, SQL_RES_REFILL,
                       BSS_DB_ARGS(BSS_DB_I64(amount), BSS_DB_I64(expires_ms), BSS_DB_I64(now_ms), S(id), S(bucket)),
                       changed, ei);
}

static const char SQL_REQ_FIND[] = "SELECT body_hash, result_id FROM balance_request WHERE kind = ? AND idem_key = ?";
static const char SQL_REQ_INSERT[] =
    "INSERT INTO balance_request (kind, idem_key, body_hash, result_id, created_ms) VALUES (?, ?, ?, ?, ?)";

bss_err bss__request_find(bss_db *db, const char *kind, const char *key, char hash[65], char result_id[BSS_ID_MAX + 1],
                          bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_REQ_FIND, BSS_DB_ARGS(S(kind), S(key)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (!bss_db_next(rows)) {
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
        return rc != BSS_OK ? bss_fail(ei, rc, NULL, "reading an idempotency key failed") : BSS_E_NOT_FOUND;
    }
    copy(hash, 65, bss_db_col_text(rows, 0, NULL));
    copy(result_id, BSS_ID_MAX + 1, bss_db_col_text(rows, 1, NULL));
    bss_db_rows_close(rows);
    return BSS_OK;
}

bss_err bss__request_insert(bss_db *db, const char *kind, const char *key, const char *hash, const char *result_id,
                            int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_REQ_INSERT,
                       BSS_DB_ARGS(S(kind), S(key), S(hash), S(result_id), BSS_DB_I64(now_ms)), NULL, ei);
}

bss_err bss__bucket_ledger_sum(bss_db *db, const char *id, int64_t *sum, int64_t *nrows, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_SUM, BSS_DB_ARGS(S(id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (!bss_db_next(rows)) {
        rc = bss_db_rows_error(rows);
        bss_db_rows_close(rows);
        return bss_fail(ei, rc != BSS_OK ? rc : BSS_E_INTERNAL, NULL, "summing the ledger of %s failed", id);
    }
    *sum = bss_db_col_int64(rows, 0);
    *nrows = bss_db_col_int64(rows, 1);
    bss_db_rows_close(rows);
    return BSS_OK;
}

static const char SQL_HOLDS[] =
    "SELECT r.id, r.bucket_id, r.amount, r.expires_ms, r.source_kind, r.source_id FROM balance_reservation r JOIN "
    "bucket b ON "
    "b.id = r.bucket_id WHERE b.account_id = ? AND b.status = 'active' AND r.state = 'active' ORDER BY r.id";

bss_err bss__holds_list(bss_db *db, const char *account_id, bss__hold_fn each, void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_HOLDS, BSS_DB_ARGS(S(account_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (rc == BSS_OK && bss_db_next(rows))
        rc = each(arg, bss_db_col_text(rows, 0, NULL), bss_db_col_text(rows, 1, NULL), bss_db_col_int64(rows, 2),
                  bss_db_col_int64(rows, 3), bss_db_col_text(rows, 4, NULL), bss_db_col_text(rows, 5, NULL), ei);
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "listing holds failed");
    bss_db_rows_close(rows);
    return rc;
}
