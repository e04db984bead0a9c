/*
 * order_store.c: every SQL statement of the order module that is not a
 * document row (those go through doc/doc.h and db/resource.h): the
 * product_identity index of live products' MSISDN, ICCID and IMSI.
 * Written once for SQLite and PostgreSQL, each a static string literal.
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "order/order_int.h"

static const char SQL_ID_DELETE[] = "DELETE FROM product_identity WHERE product_id = ?";
static const char SQL_ID_INSERT[] = "INSERT INTO product_identity (value, kind, product_id) VALUES (?, ?, ?)";
static const char SQL_ID_OWNER[] = "SELECT product_id FROM product_identity WHERE kind = ? AND value = ?";

bss_err bss__store_identities_set(bss_db *db, const char *product_id, const bss__identity *ids, size_t n,
                                  bss_errinfo *ei)
{
    bss_err rc = bss_db_exec(db, SQL_ID_DELETE, BSS_DB_ARGS(BSS_DB_STRN(product_id, strlen(product_id))), NULL, ei);
    /* a number moved between products: caches of lines by number forget the product */
    bss_db_changed(db, "product", product_id, NULL);
    for (size_t i = 0; rc == BSS_OK && i < n; i++)
        rc = bss_db_exec(db, SQL_ID_INSERT,
                         BSS_DB_ARGS(BSS_DB_STRN(ids[i].value, strlen(ids[i].value)),
                                     BSS_DB_STRN(ids[i].kind, strlen(ids[i].kind)),
                                     BSS_DB_STRN(product_id, strlen(product_id))),
                         NULL, ei);
    return rc;
}

bss_err bss__store_identity_owner(bss_db *db, const char *kind, const char *value, const char *self, char *id,
                                  size_t cap, bool *found, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *found = false;
    bss_err rc = bss_db_query(db, SQL_ID_OWNER,
                              BSS_DB_ARGS(BSS_DB_STRN(kind, strlen(kind)), BSS_DB_STRN(value, strlen(value))), &rows,
                              ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        const char *owner = bss_db_col_text(rows, 0, NULL);
        if (owner && (!self || strcmp(owner, self) != 0)) {
            snprintf(id, cap, "%s", owner);
            *found = true;
        }
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading product identities failed");
}

/* ---- order_submission ---- */

static const char SQL_SUB_GET[] = "SELECT order_id, content_hash FROM order_submission WHERE external_id = ?";
static const char SQL_SUB_PUT[] =
    "INSERT INTO order_submission (external_id, order_id, content_hash, created_ms) VALUES (?, ?, ?, ?)";

bss_err bss__store_submission_get(bss_db *db, const char *external_id, char *order_id, size_t id_cap, char *hash,
                                  size_t hash_cap, bool *found, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *found = false;
    bss_err rc = bss_db_query(db, SQL_SUB_GET, BSS_DB_ARGS(BSS_DB_STRN(external_id, strlen(external_id))), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        snprintf(order_id, id_cap, "%s", bss_db_col_text(rows, 0, NULL));
        snprintf(hash, hash_cap, "%s", bss_db_col_text(rows, 1, NULL));
        *found = true;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading an order submission failed");
}

bss_err bss__store_submission_put(bss_db *db, const char *external_id, const char *order_id, const char *hash,
                                  int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_SUB_PUT,
                       BSS_DB_ARGS(BSS_DB_STRN(external_id, strlen(external_id)), BSS_DB_STRN(order_id, strlen(order_id)),
                                   BSS_DB_STRN(hash, strlen(hash)), BSS_DB_I64(now_ms)),
                       NULL, ei);
}

/* ---- order_task ---- */

static bss_db_val T(const char *s)
{
    return s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

static const char SQL_TASK_INSERT[] =
    "INSERT INTO order_task (order_id, seq, item_id, type, state, after_seq, attempts, next_at_ms, input) "
    "VALUES (?, ?, ?, ?, 'pending', ?, 0, ?, ?)";
static const char SQL_ITEM_COUNTS[] =
    "SELECT SUM(CASE WHEN state IN ('pending', 'running', 'waiting') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN state IN ('running', 'waiting') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN state = 'failed' AND type NOT LIKE 'undo:%' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) FROM order_task WHERE order_id = ? AND item_id = ?";
static const char SQL_ITEM_DONE[] =
    "SELECT seq, type, input FROM order_task WHERE order_id = ? AND item_id = ? AND state = 'done' AND type NOT LIKE "
    "'undo:%' ORDER BY seq";
static const char SQL_ITEM_INPUT[] = "SELECT input FROM order_task WHERE order_id = ? AND item_id = ? ORDER BY seq LIMIT 1";
static const char SQL_ITEM_SKIP[] =
    "UPDATE order_task SET state = 'skipped', finished_ms = ? WHERE order_id = ? AND item_id = ? AND state = 'pending'";
static const char SQL_TASK_MAX[] = "SELECT COALESCE(MAX(seq), 0) FROM order_task WHERE order_id = ?";
static const char SQL_TASK_DUE[] =
    "SELECT t.order_id, t.seq, t.item_id, t.type, t.attempts, t.input, t.state FROM order_task t WHERE t.next_at_ms <= ? "
    "AND (t.state = 'waiting' OR (t.state = 'pending' AND (t.after_seq = 0 OR EXISTS (SELECT 1 FROM order_task d "
    "WHERE d.order_id = t.order_id AND d.seq = t.after_seq AND d.state IN ('done', 'failed', 'skipped'))))) "
    "ORDER BY t.next_at_ms, t.order_id, t.seq LIMIT ?";
static const char SQL_TASK_RUN[] =
    "UPDATE order_task SET state = 'running', attempts = attempts + CASE WHEN state = 'pending' THEN 1 ELSE 0 END, "
    "started_ms = ?, lease_until_ms = ? WHERE order_id = ? AND seq = ? AND state IN ('pending', 'waiting')";
static const char SQL_TASK_WAIT[] =
    "UPDATE order_task SET state = 'waiting', next_at_ms = ?, result = ? WHERE order_id = ? AND seq = ? AND state = "
    "'running'";
static const char SQL_TASK_GET[] =
    "SELECT order_id, seq, item_id, type, attempts, input, state FROM order_task WHERE order_id = ? AND seq = ?";
static const char SQL_TASK_DONE[] =
    "UPDATE order_task SET state = 'done', finished_ms = ?, result = ?, error = NULL WHERE order_id = ? AND seq = ? "
    "AND state IN ('running', 'waiting')";
static const char SQL_TASK_RETRY[] =
    "UPDATE order_task SET state = 'pending', next_at_ms = ?, error = ? WHERE order_id = ? AND seq = ? AND state IN "
    "('running', 'waiting')";
static const char SQL_TASK_FAILED[] =
    "UPDATE order_task SET state = 'failed', finished_ms = ?, error = ? WHERE order_id = ? AND seq = ? AND state IN "
    "('running', 'waiting')";
static const char SQL_TASK_RESUME[] = "UPDATE order_task SET state = 'pending', lease_until_ms = NULL WHERE state = 'running'";
static const char SQL_ORDER_TASKS[] =
    "SELECT seq, item_id, type, state, attempts, error, result, after_seq FROM order_task WHERE order_id = ? ORDER BY seq";

bss_err bss__store_task_insert(bss_db *db, const char *order_id, int64_t seq, const char *item_id, const char *type,
                               int64_t after_seq, int64_t now_ms, const char *input, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_TASK_INSERT,
                       BSS_DB_ARGS(T(order_id), BSS_DB_I64(seq), T(item_id), T(type), BSS_DB_I64(after_seq),
                                   BSS_DB_I64(now_ms), T(input)),
                       NULL, ei);
}

bss_err bss__store_item_tasks(bss_db *db, const char *order_id, const char *item_id, bss__item_tasks *out,
                              bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_ITEM_COUNTS, BSS_DB_ARGS(T(order_id), T(item_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        out->open = bss_db_col_int64(rows, 0);
        out->running = bss_db_col_int64(rows, 1);
        out->failed = bss_db_col_int64(rows, 2);
        out->done = bss_db_col_int64(rows, 3);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading an item's tasks failed");
}

static void task_row(bss_db_rows *rows, bss__task *t, int seq_col, int type_col)
{
    t->seq = bss_db_col_int64(rows, seq_col);
    snprintf(t->type, sizeof t->type, "%s", bss_db_col_text(rows, type_col, NULL) ?: "");
}

bss_err bss__store_item_done(bss_db *db, const char *order_id, const char *item_id, bss__task *out, size_t cap,
                             size_t *n, json_t **input, bss_errinfo *ei)
{
    *n = 0;
    *input = NULL;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_ITEM_DONE, BSS_DB_ARGS(T(order_id), T(item_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows) && *n < cap) {
        memset(&out[*n], 0, sizeof out[*n]);
        task_row(rows, &out[*n], 0, 1);
        ++*n;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc != BSS_OK)
        return bss_fail(ei, rc, NULL, "reading an item's tasks failed");
    rc = bss_db_query(db, SQL_ITEM_INPUT, BSS_DB_ARGS(T(order_id), T(item_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        json_error_t jerr;
        const char *text = bss_db_col_text(rows, 0, NULL);
        *input = text ? json_loads(text, 0, &jerr) : NULL;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading an item's tasks failed");
}

bss_err bss__store_item_skip(bss_db *db, const char *order_id, const char *item_id, int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_ITEM_SKIP, BSS_DB_ARGS(BSS_DB_I64(now_ms), T(order_id), T(item_id)), NULL, ei);
}

bss_err bss__store_task_max_seq(bss_db *db, const char *order_id, int64_t *seq, bss_errinfo *ei)
{
    return bss_db_query_int64(db, SQL_TASK_MAX, BSS_DB_ARGS(T(order_id)), seq, ei);
}

bss_err bss__store_tasks_claim(bss_db *db, int64_t now_ms, int64_t lease_until, bss__task *out, size_t cap, size_t *n,
                               bss_errinfo *ei)
{
    *n = 0;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_TASK_DUE, BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64((int64_t)cap)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows) && *n < cap) {
        bss__task *t = &out[*n];
        memset(t, 0, sizeof *t);
        snprintf(t->order_id, sizeof t->order_id, "%s", bss_db_col_text(rows, 0, NULL) ?: "");
        t->seq = bss_db_col_int64(rows, 1);
        snprintf(t->item_id, sizeof t->item_id, "%s", bss_db_col_text(rows, 2, NULL) ?: "");
        snprintf(t->type, sizeof t->type, "%s", bss_db_col_text(rows, 3, NULL) ?: "");
        t->poll = strcmp(bss_db_col_text(rows, 6, NULL) ?: "", "waiting") == 0;
        t->attempts = bss_db_col_int64(rows, 4) + (t->poll ? 0 : 1);
        const char *in = bss_db_col_text(rows, 5, NULL);
        t->input = bss_strdup(in ? in : "{}");
        if (!t->input) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
        ++*n;
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading due tasks failed");
    bss_db_rows_close(rows);
    for (size_t i = 0; rc == BSS_OK && i < *n; i++)
        rc = bss_db_exec(db, SQL_TASK_RUN,
                         BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(lease_until), T(out[i].order_id),
                                     BSS_DB_I64(out[i].seq)),
                         NULL, ei);
    return rc;
}

bss_err bss__store_task_done(bss_db *db, const char *order_id, int64_t seq, int64_t now_ms, const char *result,
                             bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_TASK_DONE, BSS_DB_ARGS(BSS_DB_I64(now_ms), T(result), T(order_id), BSS_DB_I64(seq)), NULL,
                       ei);
}

bss_err bss__store_task_retry(bss_db *db, const char *order_id, int64_t seq, int64_t next_at_ms, const char *error,
                              bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_TASK_RETRY, BSS_DB_ARGS(BSS_DB_I64(next_at_ms), T(error), T(order_id), BSS_DB_I64(seq)),
                       NULL, ei);
}

bss_err bss__store_task_failed(bss_db *db, const char *order_id, int64_t seq, int64_t now_ms, const char *error,
                               bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_TASK_FAILED, BSS_DB_ARGS(BSS_DB_I64(now_ms), T(error), T(order_id), BSS_DB_I64(seq)), NULL,
                       ei);
}

bss_err bss__store_tasks_resume(bss_db *db, int64_t *n, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_TASK_RESUME, BSS_DB_NOARGS, n, ei);
}

bss_err bss__store_order_tasks(bss_db *db, const char *order_id, json_t *out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_ORDER_TASKS, BSS_DB_ARGS(T(order_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        json_t *t = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "seq", (json_int_t)bss_db_col_int64(rows, 0), "itemId",
                              bss_db_col_text(rows, 1, NULL), "type", bss_db_col_text(rows, 2, NULL), "state",
                              bss_db_col_text(rows, 3, NULL), "attempts", (json_int_t)bss_db_col_int64(rows, 4), "after",
                              (json_int_t)bss_db_col_int64(rows, 7));
        if (t && !bss_db_col_null(rows, 5))
            json_object_set_new(t, "error", json_string(bss_db_col_text(rows, 5, NULL)));
        if (t && !bss_db_col_null(rows, 6)) {
            json_error_t jerr;
            json_t *r = json_loads(bss_db_col_text(rows, 6, NULL), 0, &jerr);
            if (r)
                json_object_set_new(t, "result", r);
        }
        if (!t || json_array_append_new(out, t) != 0) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading tasks failed");
    bss_db_rows_close(rows);
    return rc;
}

static const char SQL_ITEM_RESULT[] =
    "SELECT result FROM order_task WHERE order_id = ? AND item_id = ? AND type = ? AND state = 'done' ORDER BY seq "
    "DESC LIMIT 1";

bss_err bss__store_item_result(bss_db *db, const char *order_id, const char *item_id, const char *type, json_t **out,
                               bss_errinfo *ei)
{
    *out = NULL;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_ITEM_RESULT, BSS_DB_ARGS(T(order_id), T(item_id), T(type)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows) && !bss_db_col_null(rows, 0)) {
        json_error_t jerr;
        *out = json_loads(bss_db_col_text(rows, 0, NULL), 0, &jerr);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading a task result failed");
}

static const char SQL_OVERDUE_N[] =
    "SELECT COUNT(*) FROM tmf622_product_order WHERE expected_ms < ? AND state NOT IN ('completed', 'partial', "
    "'failed', 'rejected', 'cancelled')";
static const char SQL_OVERDUE[] =
    "SELECT doc FROM tmf622_product_order WHERE expected_ms < ? AND state NOT IN ('completed', 'partial', 'failed', "
    "'rejected', 'cancelled') ORDER BY expected_ms, id LIMIT ?";

bss_err bss__store_overdue(bss_db *db, int64_t now_ms, int64_t limit, json_t *docs, int64_t *total, bss_errinfo *ei)
{
    bss_err rc = bss_db_query_int64(db, SQL_OVERDUE_N, BSS_DB_ARGS(BSS_DB_I64(now_ms)), total, ei);
    if (rc != BSS_OK || !docs)
        return rc;
    bss_db_rows *rows = NULL;
    rc = bss_db_query(db, SQL_OVERDUE, BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(limit)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        json_error_t jerr;
        json_t *d = json_loads(bss_db_col_text(rows, 0, NULL), 0, &jerr);
        if (d)
            json_array_append_new(docs, d);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading overdue orders failed");
}

bss_err bss__store_task_wait(bss_db *db, const char *order_id, int64_t seq, int64_t next_at_ms, const char *result,
                             bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_TASK_WAIT, BSS_DB_ARGS(BSS_DB_I64(next_at_ms), T(result), T(order_id), BSS_DB_I64(seq)),
                       NULL, ei);
}

bss_err bss__store_task_get(bss_db *db, const char *order_id, int64_t seq, bss__task *out, char *state, size_t cap,
                            bool *found, bss_errinfo *ei)
{
    *found = false;
    memset(out, 0, sizeof *out);
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_TASK_GET, BSS_DB_ARGS(T(order_id), BSS_DB_I64(seq)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        snprintf(out->order_id, sizeof out->order_id, "%s", bss_db_col_text(rows, 0, NULL) ?: "");
        out->seq = bss_db_col_int64(rows, 1);
        snprintf(out->item_id, sizeof out->item_id, "%s", bss_db_col_text(rows, 2, NULL) ?: "");
        snprintf(out->type, sizeof out->type, "%s", bss_db_col_text(rows, 3, NULL) ?: "");
        out->attempts = bss_db_col_int64(rows, 4);
        out->input = bss_strdup(bss_db_col_text(rows, 5, NULL) ?: "{}");
        snprintf(state, cap, "%s", bss_db_col_text(rows, 6, NULL) ?: "");
        *found = out->input != NULL;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading a task failed");
}
