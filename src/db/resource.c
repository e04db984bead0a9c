/*
 * resource.c: the SQL of TMF resource documents (see resource.h): insert,
 * get, optimistic update and delete of one row, and filtered, paged
 * listing with a total count. Statement texts are composed from the table
 * descriptor and interned in its fixed slots, so each text has one stable
 * address for the store's per-connection statement cache. Written once for
 * SQLite and PostgreSQL (the portable subset of db.h).
 */
#include "db/resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/parse.h"
#include "core/mem.h"
#include "core/time.h"

#define ROW_COLS "id, doc, created_ms, updated_ms, row_version"

static bool ident_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 63)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* Returns the stable copy of sql (caller holds t->sql.mu); NULL when no slot is left or it is too long. */
static const char *intern(bss_res_table *t, const char *sql)
{
    for (int i = 0; i < t->sql.nslots; i++)
        if (strcmp(t->sql.text[i], sql) == 0)
            return t->sql.text[i];
    size_t len = strlen(sql);
    if (t->sql.nslots == BSS_RES_SQL_SLOTS || len >= BSS_RES_SQL_MAX)
        return NULL;
    char *slot = t->sql.text[t->sql.nslots++];
    memcpy(slot, sql, len + 1);
    return slot;
}

static bss_err build_fixed(bss_res_table *t, bss_errinfo *ei)
{
    char cols[512] = "", marks[64] = "", sets[512] = "", sql[BSS_RES_SQL_MAX];
    size_t cl = 0, ml = 0, sl = 0;
    for (size_t i = 0; i < t->ncolumns; i++) {
        cl += (size_t)snprintf(cols + cl, sizeof cols - cl, ", %s", t->columns[i].column);
        ml += (size_t)snprintf(marks + ml, sizeof marks - ml, ", ?");
        sl += (size_t)snprintf(sets + sl, sizeof sets - sl, ", %s = ?", t->columns[i].column);
    }
    const char **dst[] = {&t->sql.insert, &t->sql.get,         &t->sql.update,
                          &t->sql.del,    &t->sql.del_version, &t->sql.exists};
    for (int k = 0; k < 6; k++) {
        switch (k) {
        case 0:
            snprintf(
                sql, sizeof sql,
                "INSERT INTO %s (id, doc, created_ms, updated_ms, row_version%s) VALUES (?, ?, ?, ?, 1%s)",
                t->name, cols, marks);
            break;
        case 1:
            snprintf(sql, sizeof sql, "SELECT " ROW_COLS " FROM %s WHERE id = ?", t->name);
            break;
        case 2:
            snprintf(sql, sizeof sql,
                     "UPDATE %s SET doc = ?, updated_ms = ?, row_version = row_version + 1%s "
                     "WHERE id = ? AND row_version = ?",
                     t->name, sets);
            break;
        case 3:
            snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?", t->name);
            break;
        case 4:
            snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ? AND row_version = ?", t->name);
            break;
        default:
            snprintf(sql, sizeof sql, "SELECT row_version FROM %s WHERE id = ?", t->name);
            break;
        }
        *dst[k] = intern(t, sql);
        if (!*dst[k])
            return bss_fail(ei, BSS_E_INTERNAL, NULL, "resource table %s: statement too long", t->name);
    }
    return BSS_OK;
}

bss_err bss_resource_table_prepare(bss_res_table *t)
{
    if (atomic_load(&t->sql.ready))
        return BSS_OK;
    if (!ident_ok(t->name) || t->ncolumns > BSS_RES_MAX_COLUMNS || (t->ncolumns && !t->columns))
        return BSS_E_INVALID;
    for (size_t i = 0; i < t->ncolumns; i++) {
        const bss_res_column *c = &t->columns[i];
        if (!ident_ok(c->column) || !c->path || !*c->path || c->type < BSS_RES_TEXT || c->type > BSS_RES_TIME)
            return BSS_E_INVALID;
    }
    pthread_mutex_lock(&t->sql.mu);
    bss_err rc = BSS_OK;
    if (!atomic_load(&t->sql.ready)) {
        rc = build_fixed(t, NULL);
        if (!rc)
            atomic_store(&t->sql.ready, true);
    }
    pthread_mutex_unlock(&t->sql.mu);
    return rc;
}

static bss_err check_ready(bss_res_table *t, bss_errinfo *ei)
{
    if (atomic_load(&t->sql.ready) || bss_resource_table_prepare(t) == BSS_OK)
        return BSS_OK;
    return bss_fail(ei, BSS_E_INTERNAL, NULL, "resource table %s: bad descriptor", t->name ? t->name : "?");
}

int bss_resource_column_of(const bss_res_table *t, const char *path)
{
    if (strcmp(path, "id") == 0)
        return BSS_RES_COL_ID;
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strcmp(t->columns[i].path, path) == 0)
            return (int)i;
    return BSS_RES_COL_NONE;
}

/* The typed value of column c in doc (NULL when the member is absent or null). */
static bss_err column_value(const bss_res_column *c, const json_t *doc, bss_db_val *out, bss_errinfo *ei)
{
    const json_t *v = bss_json_path(doc, c->path);
    *out = BSS_DB_NIL;
    if (!v || json_is_null(v))
        return BSS_OK;
    switch (c->type) {
    case BSS_RES_TEXT:
        if (!json_is_string(v))
            return bss_fail(ei, BSS_E_INVALID, c->path, "%s must be a string", c->path);
        *out = BSS_DB_STRN(json_string_value(v), json_string_length(v));
        return BSS_OK;
    case BSS_RES_INT64:
        if (!json_is_integer(v))
            return bss_fail(ei, BSS_E_INVALID, c->path, "%s must be an integer", c->path);
        *out = BSS_DB_I64(json_integer_value(v));
        return BSS_OK;
    case BSS_RES_BOOL:
        if (!json_is_boolean(v))
            return bss_fail(ei, BSS_E_INVALID, c->path, "%s must be true or false", c->path);
        *out = BSS_DB_I64(json_is_true(v) ? 1 : 0);
        return BSS_OK;
    case BSS_RES_TIME: {
        int64_t ms;
        if (!json_is_string(v) ||
            bss_time_parse(json_string_value(v), json_string_length(v), &ms, NULL) != BSS_OK)
            return bss_fail(ei, BSS_E_INVALID, c->path, "%s must be an RFC 3339 date-time", c->path);
        *out = BSS_DB_I64(ms);
        return BSS_OK;
    }
    }
    return bss_fail(ei, BSS_E_INTERNAL, c->path, "bad column type");
}

static bss_err column_values(const bss_res_table *t, const json_t *doc, bss_db_val *vals, bss_errinfo *ei)
{
    for (size_t i = 0; i < t->ncolumns; i++) {
        bss_err rc = column_value(&t->columns[i], doc, &vals[i], ei);
        if (rc)
            return rc;
    }
    return BSS_OK;
}

static bss_err dump_doc(const json_t *doc, char **text, size_t *len, bss_errinfo *ei)
{
    if (!json_is_object(doc))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a resource document must be a JSON object");
    *text = bss_json_dump(doc, len);
    return *text ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

bss_err bss_resource_insert(bss_db *db, bss_res_table *t, const char *id, const json_t *doc, int64_t now_ms,
                            bss_errinfo *ei)
{
    bss_err rc = check_ready(t, ei);
    if (rc)
        return rc;
    bss_db_val args[5 + BSS_RES_MAX_COLUMNS];
    rc = column_values(t, doc, args + 4, ei);
    if (rc)
        return rc;
    char *text;
    size_t len;
    if ((rc = dump_doc(doc, &text, &len, ei)))
        return rc;
    args[0] = BSS_DB_STR(id);
    args[1] = BSS_DB_STRN(text, len);
    args[2] = BSS_DB_I64(now_ms);
    args[3] = BSS_DB_I64(now_ms);
    rc = bss_db_exec(db, t->sql.insert, args, 4 + t->ncolumns, NULL, ei);
    bss_free(text);
    if (rc == BSS_E_EXISTS)
        return bss_fail(ei, BSS_E_EXISTS, "id", "a resource with id %s already exists", id);
    if (rc == BSS_OK)
        bss_db_changed(db, t->name, id, doc);
    return rc;
}

void bss_resource_doc_free(bss_res_doc *d)
{
    if (!d)
        return;
    bss_free(d->doc);
    memset(d, 0, sizeof *d);
}

bss_err bss_resource_get(bss_db *db, bss_res_table *t, const char *id, bss_res_doc *out, bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    bss_err rc = check_ready(t, ei);
    if (rc)
        return rc;
    bss_db_rows *rows;
    rc = bss_db_query(db, t->sql.get, BSS_DB_ARGS(BSS_DB_STR(id)), &rows, ei);
    if (rc)
        return rc;
    if (bss_db_next(rows)) {
        size_t len = 0;
        const char *doc = bss_db_col_text(rows, 1, &len);
        out->doc = bss_strndup(doc ? doc : "{}", doc ? len : 2);
        out->doc_len = doc ? len : 2;
        out->created_ms = bss_db_col_int64(rows, 2);
        out->updated_ms = bss_db_col_int64(rows, 3);
        out->row_version = bss_db_col_int64(rows, 4);
        rc = out->doc ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else {
        rc = bss_db_rows_error(rows);
        if (!rc)
            rc = bss_fail(ei, BSS_E_NOT_FOUND, "id", "no resource with id %s", id);
    }
    bss_db_rows_close(rows);
    if (rc)
        bss_resource_doc_free(out);
    return rc;
}

/* After an update/delete changed nothing: gone, or changed by someone else? */
static bss_err why_unchanged(bss_db *db, bss_res_table *t, const char *id, bss_errinfo *ei)
{
    int64_t version;
    bss_err rc = bss_db_query_int64(db, t->sql.exists, BSS_DB_ARGS(BSS_DB_STR(id)), &version, ei);
    if (rc == BSS_E_NOT_FOUND)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no resource with id %s", id);
    if (rc)
        return rc;
    return bss_fail(ei, BSS_E_CONFLICT, "id", "resource %s was changed by another request; retry", id);
}

bss_err bss_resource_update(bss_db *db, bss_res_table *t, const char *id, const json_t *doc, int64_t now_ms,
                            int64_t expect_version, int64_t *new_version, bss_errinfo *ei)
{
    bss_err rc = check_ready(t, ei);
    if (rc)
        return rc;
    bss_db_val args[4 + BSS_RES_MAX_COLUMNS];
    rc = column_values(t, doc, args + 2, ei);
    if (rc)
        return rc;
    char *text;
    size_t len;
    if ((rc = dump_doc(doc, &text, &len, ei)))
        return rc;
    size_t n = 2 + t->ncolumns;
    args[0] = BSS_DB_STRN(text, len);
    args[1] = BSS_DB_I64(now_ms);
    args[n] = BSS_DB_STR(id);
    args[n + 1] = BSS_DB_I64(expect_version);
    int64_t changes = 0;
    rc = bss_db_exec(db, t->sql.update, args, n + 2, &changes, ei);
    bss_free(text);
    if (rc)
        return rc;
    if (changes == 0)
        return why_unchanged(db, t, id, ei);
    bss_db_changed(db, t->name, id, doc);
    if (new_version)
        *new_version = expect_version + 1;
    return BSS_OK;
}

bss_err bss_resource_delete(bss_db *db, bss_res_table *t, const char *id, int64_t expect_version,
                            bss_errinfo *ei)
{
    bss_err rc = check_ready(t, ei);
    if (rc)
        return rc;
    int64_t changes = 0;
    if (expect_version > 0)
        rc = bss_db_exec(db, t->sql.del_version, BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_I64(expect_version)),
                         &changes, ei);
    else
        rc = bss_db_exec(db, t->sql.del, BSS_DB_ARGS(BSS_DB_STR(id)), &changes, ei);
    if (rc)
        return rc;
    if (!changes)
        return why_unchanged(db, t, id, ei);
    bss_db_changed(db, t->name, id, NULL);
    return BSS_OK;
}

bss_err bss_resource_filter_value(const bss_res_table *t, int col, const char *text, const char *param,
                                  bss_db_val *out, bss_errinfo *ei)
{
    bss_res_type type = col == BSS_RES_COL_ID ? BSS_RES_TEXT : t->columns[col].type;
    switch (type) {
    case BSS_RES_TEXT:
        *out = BSS_DB_STRN(text, strlen(text));
        return BSS_OK;
    case BSS_RES_INT64: {
        int64_t v = 0;
        if (bss_parse_int64(text, strlen(text), BSS_NUM_SIGNED, INT64_MIN, INT64_MAX, &v) != BSS_OK)
            return bss_fail(ei, BSS_E_INVALID, param, "%s: '%.40s' is not an integer", param, text);
        *out = BSS_DB_I64(v);
        return BSS_OK;
    }
    case BSS_RES_BOOL:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
            return bss_fail(ei, BSS_E_INVALID, param, "%s: '%.40s' is not true or false", param, text);
        *out = BSS_DB_I64(text[0] == 't');
        return BSS_OK;
    case BSS_RES_TIME: {
        int64_t ms;
        if (bss_time_parse(text, strlen(text), &ms, NULL) != BSS_OK)
            return bss_fail(ei, BSS_E_INVALID, param, "%s: '%.40s' is not an RFC 3339 date-time", param,
                            text);
        *out = BSS_DB_I64(ms);
        return BSS_OK;
    }
    }
    return bss_fail(ei, BSS_E_INTERNAL, param, "bad column type");
}

static const char *const op_sql[] = {"=", ">", ">=", "<", "<="};

/* " WHERE a = ? AND b IN (?, ?)" and its binds; BSS_E_UNSUPPORTED if too large. */
static bss_err build_where(const bss_res_table *t, const bss_res_filter *f, size_t nf, char *where,
                           size_t cap, bss_db_val *binds, size_t *nbinds)
{
    size_t wl = 0, nb = 0;
    where[0] = '\0';
    if (nf > BSS_RES_MAX_FILTERS)
        return BSS_E_UNSUPPORTED;
    for (size_t i = 0; i < nf; i++) {
        if (f[i].column != BSS_RES_COL_ID && (f[i].column < 0 || (size_t)f[i].column >= t->ncolumns))
            return BSS_E_INVALID;
        if (f[i].nvalues < 1 || f[i].nvalues > BSS_RES_MAX_IN ||
            (f[i].nvalues > 1 && f[i].op != BSS_RES_EQ) || (unsigned)f[i].op > BSS_RES_LTE)
            return BSS_E_INVALID;
        const char *col = f[i].column == BSS_RES_COL_ID ? "id" : t->columns[f[i].column].column;
        wl += (size_t)snprintf(where + wl, cap - wl, "%s%s ", i ? " AND " : " WHERE ", col);
        if (f[i].nvalues == 1) {
            wl += (size_t)snprintf(where + wl, cap - wl, "%s ?", op_sql[f[i].op]);
        } else {
            wl += (size_t)snprintf(where + wl, cap - wl, "IN (?");
            for (size_t k = 1; k < f[i].nvalues; k++)
                wl += (size_t)snprintf(where + wl, cap - wl, ", ?");
            wl += (size_t)snprintf(where + wl, cap - wl, ")");
        }
        if (wl >= cap)
            return BSS_E_UNSUPPORTED;
        for (size_t k = 0; k < f[i].nvalues; k++)
            binds[nb++] = f[i].values[k];
    }
    *nbinds = nb;
    return BSS_OK;
}

/* Interns the COUNT and the page statements of one filter shape. */
static bss_err list_sql(bss_res_table *t, const char *where, const char **count_sql, const char **rows_sql)
{
    char sql[BSS_RES_SQL_MAX];
    pthread_mutex_lock(&t->sql.mu);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s%s", t->name, where);
    *count_sql = intern(t, sql);
    snprintf(sql, sizeof sql, "SELECT " ROW_COLS " FROM %s%s ORDER BY id LIMIT ? OFFSET ?", t->name, where);
    *rows_sql = *count_sql ? intern(t, sql) : NULL;
    pthread_mutex_unlock(&t->sql.mu);
    return *count_sql && *rows_sql ? BSS_OK : BSS_E_UNSUPPORTED;
}

bss_err bss_resource_list(bss_db *db, bss_res_table *t, const bss_res_filter *filters, size_t nfilters,
                          int64_t offset, int64_t limit, int64_t *total, bss_res_row_fn fn, void *arg,
                          bss_errinfo *ei)
{
    bss_err rc = check_ready(t, ei);
    if (rc)
        return rc;
    char where[BSS_RES_SQL_MAX / 2];
    bss_db_val binds[BSS_RES_MAX_FILTERS * BSS_RES_MAX_IN + 2];
    size_t nb = 0;
    rc = build_where(t, filters, nfilters, where, sizeof where, binds, &nb);
    if (rc == BSS_E_INVALID)
        return bss_fail(ei, rc, NULL, "bad store filter");
    const char *count_sql = NULL, *rows_sql = NULL;
    if (!rc)
        rc = list_sql(t, where, &count_sql, &rows_sql);
    if (rc)
        return bss_fail(ei, rc, NULL, "filter shape not supported by the store");
    if (total && (rc = bss_db_query_int64(db, count_sql, binds, nb, total, ei)))
        return rc;
    binds[nb++] = BSS_DB_I64(limit < 0 ? INT64_MAX : limit);
    binds[nb++] = BSS_DB_I64(offset < 0 ? 0 : offset);
    bss_db_rows *rows;
    if ((rc = bss_db_query(db, rows_sql, binds, nb, &rows, ei)))
        return rc;
    while (bss_db_next(rows)) {
        bss_res_row row;
        size_t len = 0, id_len = 0;
        row.id = bss_db_col_text(rows, 0, &id_len);
        row.doc = bss_db_col_text(rows, 1, &len);
        row.doc_len = row.doc ? len : 0;
        row.created_ms = bss_db_col_int64(rows, 2);
        row.updated_ms = bss_db_col_int64(rows, 3);
        row.row_version = bss_db_col_int64(rows, 4);
        if (!row.id || !row.doc)
            continue;
        if ((rc = fn(&row, arg)))
            break;
    }
    if (!rc)
        rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}
