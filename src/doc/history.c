/*
 * history.c: the change history of documents (doc.h, table doc_history).
 *
 * A row per change, numbered per document: seq is one more than the
 * document's last, read in the write's transaction. Writes run on the one
 * writer (or a single-connection import or seeding), so two changes of the
 * same document never race for a number; the primary key would refuse the
 * second if they did.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/time.h"
#include "doc/doc.h"

static bool ignored(const char *member)
{
    return strcmp(member, "lastUpdate") == 0 || strcmp(member, "href") == 0;
}

static bool same(const json_t *a, const json_t *b)
{
    return (!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b));
}

/* A value as the history keeps it: itself when small enough, else NULL (the caller marks it truncated). */
static json_t *kept(const json_t *v, bool *truncated)
{
    if (!v)
        return json_null();
    size_t len = 0;
    char *text = bss_json_dump(v, &len);
    bss_free(text);
    if (!text || len > BSS_DOC_HISTORY_VALUE_MAX) {
        *truncated = true;
        return NULL;
    }
    return json_deep_copy(v);
}

static int add_change(json_t *list, const bss_doc_kind *kind, const char *member, const json_t *before,
                      const json_t *after)
{
    json_t *c = json_pack("{s:s}", "member", member);
    if (!c)
        return -1;
    if (!kind->personal_data && (before || after)) {
        bool truncated = false;
        json_t *from = kept(before, &truncated), *to = kept(after, &truncated);
        if (truncated) {
            json_decref(from);
            json_decref(to);
            json_object_set_new(c, "truncated", json_true());
        } else {
            json_object_set_new(c, "from", from ? from : json_null());
            json_object_set_new(c, "to", to ? to : json_null());
        }
    }
    return json_array_append_new(list, c);
}

json_t *bss_doc_history_changes(const bss_doc_kind *kind, const json_t *before, const json_t *after)
{
    json_t *list = json_array();
    if (!list)
        return NULL;
    const char *key;
    json_t *val;
    int bad = 0;
    json_object_foreach((json_t *)after, key, val)
    {
        const json_t *was = before ? json_object_get(before, key) : NULL;
        if (!ignored(key) && !same(was, val) && !bad)
            bad = add_change(list, kind, key, before ? was : NULL, before ? val : NULL);
    }
    json_object_foreach((json_t *)before, key, val)
    {
        if (!ignored(key) && !bad && (!after || !json_object_get(after, key)))
            bad = add_change(list, kind, key, after ? val : NULL, NULL);
    }
    if (bad) {
        json_decref(list);
        return NULL;
    }
    return list;
}

bss_err bss_doc_history_add(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t now_ms,
                            const struct bss_principal *who, const char *via, const char *action, const char *note,
                            const json_t *changes, bss_errinfo *ei)
{
    if (!db)
        return BSS_OK;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, "SELECT COALESCE(MAX(seq), 0) FROM doc_history WHERE kind = ? AND doc_id = ?",
                              BSS_DB_ARGS(BSS_DB_STR(kind->name), BSS_DB_STR(id)), &rows, ei);
    if (rc)
        return rc;
    int64_t seq = bss_db_next(rows) ? bss_db_col_int64(rows, 0) + 1 : 1;
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc)
        return bss_fail(ei, rc, NULL, "could not read the change history of %s %.64s", kind->name, id);
    size_t len = 0;
    char *text = bss_json_dump(changes, &len);
    if (!text)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    const char *door = via ? via : who ? "api" : "system";
    rc = bss_db_exec(db,
                     "INSERT INTO doc_history (kind, doc_id, seq, at_ms, action, key_id, key_name, key_role, via, note, "
                     "changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     BSS_DB_ARGS(BSS_DB_STR(kind->name), BSS_DB_STR(id), BSS_DB_I64(seq), BSS_DB_I64(now_ms),
                                 BSS_DB_STR(action), BSS_DB_STR(who ? who->key_id : ""),
                                 BSS_DB_STR(who ? who->name : ""),
                                 BSS_DB_STR(who ? bss_auth_role_name(who->role) : ""), BSS_DB_STR(door),
                                 BSS_DB_STR(note ? note : ""), BSS_DB_STRN(text, len)),
                     NULL, ei);
    bss_free(text);
    return rc;
}

bss_err bss_doc_history_list(bss_db *db, const bss_doc_kind *kind, const char *id, int64_t limit, json_t **out,
                             bss_errinfo *ei)
{
    *out = NULL;
    if (limit < 1 || limit > 1000)
        limit = 100;
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db,
                              "SELECT seq, at_ms, action, key_id, key_name, key_role, via, note, changes FROM doc_history "
                              "WHERE kind = ? AND doc_id = ? ORDER BY seq DESC LIMIT ?",
                              BSS_DB_ARGS(BSS_DB_STR(kind->name), BSS_DB_STR(id), BSS_DB_I64(limit)), &rows, ei);
    if (rc)
        return rc;
    json_t *list = json_array();
    while (list && bss_db_next(rows)) {
        json_t *e = json_object();
        if (!e || json_array_append_new(list, e)) {
            json_decref(list);
            list = NULL;
            break;
        }
        json_object_set_new(e, "seq", json_integer(bss_db_col_int64(rows, 0)));
        bss_json_set_time(e, "at", bss_db_col_int64(rows, 1));
        json_object_set_new(e, "action", json_string(bss_db_col_text(rows, 2, NULL)));
        const char *key_id = bss_db_col_text(rows, 3, NULL);
        if (key_id && *key_id)
            json_object_set_new(e, "by",
                                json_pack("{s:s, s:s, s:s}", "keyId", key_id, "name", bss_db_col_text(rows, 4, NULL),
                                          "role", bss_db_col_text(rows, 5, NULL)));
        json_object_set_new(e, "via", json_string(bss_db_col_text(rows, 6, NULL)));
        const char *note = bss_db_col_text(rows, 7, NULL);
        if (note && *note)
            json_object_set_new(e, "reason", json_string(note));
        size_t clen = 0;
        const char *ctext = bss_db_col_text(rows, 8, &clen);
        json_t *changes = NULL;
        if (ctext && bss_json_parse(ctext, clen, &changes, NULL) == BSS_OK)
            json_object_set_new(e, "changes", changes);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (rc || !list) {
        json_decref(list);
        return rc ? rc : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    *out = list;
    return BSS_OK;
}
