/*
 * audit.c: the access audit of personal data (customer.h). Rows go to
 * access_audit (migration 0007) through the group-commit writer in jobs
 * nobody waits for: bss_audit_submit copies what it needs, queues the job
 * with a completion that only logs a failure and frees. Admins read the
 * rows, newest first, with GET /admin/v1/audit (src/api/care.c,
 * bss_audit_list); an export holds those about the party.
 */
#include <stdio.h>
#include <string.h>

#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

bss_err bss__audit_record(bss_db *db, int64_t now_ms, const char *key_id, const char *key_name,
                         const char *action, const char *resource_kind, const char *resource_id,
                         bss_errinfo *ei)
{
    char id[BSS_ID_LEN + 1];
    bss_id_new(now_ms, id);
    return bss_db_exec(db,
                       "INSERT INTO access_audit (id, at_ms, key_id, key_name, action, resource_kind, "
                       "resource_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       BSS_DB_ARGS(BSS_DB_STRN(id, strlen(id)), BSS_DB_I64(now_ms), BSS_DB_STR(key_id),
                                   BSS_DB_STR(key_name), BSS_DB_STR(action), BSS_DB_STR(resource_kind),
                                   BSS_DB_STR(resource_id)),
                       NULL, ei);
}

bool bss_audit_wants(const bss_principal *who)
{
    return who && (who->role & BSS_AUDIT_ROLES) != 0;
}

typedef struct audit_job {
    int64_t now_ms;
    char key_id[40];
    char key_name[128];
    char action[32];
    char kind[48];
    char *ids; /* '\n'-separated, NUL-terminated */
} audit_job;

static bss_err audit_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    audit_job *job = arg;
    char id[128];
    const char *p = job->ids;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && n < sizeof id) {
            memcpy(id, p, n);
            id[n] = '\0';
            bss_err rc =
                bss__audit_record(db, job->now_ms, job->key_id, job->key_name, job->action, job->kind, id, ei);
            if (rc)
                return rc;
        }
        p += n + (end ? 1 : 0);
    }
    return BSS_OK;
}

static void audit_done(void *arg, bss_err rc, const bss_errinfo *ei)
{
    audit_job *job = arg;
    if (rc)
        bss_logf(BSS_LOG_ERROR, "audit.write_failed", "kind=%s action=%s error=%s message=\"%s\"", job->kind,
                 job->action, bss_errname(rc), ei ? ei->message : "");
    bss_free(job->ids);
    bss_free(job);
}

void bss_audit_submit(bss_app *app, const bss_principal *who, const char *action, const char *kind,
                      const char *ids, size_t len)
{
    if (!app || !app->writer || !bss_audit_wants(who) || !ids || len == 0)
        return;
    audit_job *job = bss_calloc(1, sizeof *job);
    char *copy = job ? bss_strndup(ids, len) : NULL;
    if (!copy) {
        bss_free(job);
        bss_logf(BSS_LOG_ERROR, "audit.write_failed", "kind=%s error=NOMEM", kind);
        return;
    }
    job->ids = copy;
    job->now_ms = bss_clock_now(&app->clock);
    snprintf(job->key_id, sizeof job->key_id, "%s", who->key_id);
    snprintf(job->key_name, sizeof job->key_name, "%s", who->name);
    snprintf(job->action, sizeof job->action, "%s", action);
    snprintf(job->kind, sizeof job->kind, "%s", kind);
    bss_writer_submit(app->writer, audit_run, job, audit_done);
}

/* One row as JSON: {id, at, keyId, keyName, action, resourceKind, resourceId}. */
static json_t *row_json(bss_db_rows *rows)
{
    char at[32];
    bss_time_format(bss_db_col_int64(rows, 1), at);
    json_t *o = json_object();
    static const char *const names[] = {"keyId", "keyName", "action", "resourceKind", "resourceId"};
    if (!o || json_object_set_new(o, "id", json_string(bss_db_col_text(rows, 0, NULL))) ||
        json_object_set_new(o, "at", json_string(at))) {
        json_decref(o);
        return NULL;
    }
    for (int i = 0; i < 5; i++) {
        const char *v = bss_db_col_text(rows, 2 + i, NULL);
        if (json_object_set_new(o, names[i], v ? json_string(v) : json_null())) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static bss_err collect(bss_db_rows *rows, json_t *arr, bss_errinfo *ei)
{
    while (bss_db_next(rows)) {
        json_t *o = row_json(rows);
        if (!o || json_array_append_new(arr, o))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    bss_err rc = bss_db_rows_error(rows);
    return rc ? bss_fail(ei, rc, NULL, "could not read the access audit") : BSS_OK;
}

#define AUDIT_COLS "id, at_ms, key_id, key_name, action, resource_kind, resource_id"

bss_err bss__audit_export(bss_db *db, const char *resource_id, json_t **out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *out = json_array();
    if (!*out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc =
        bss_db_query(db, "SELECT " AUDIT_COLS " FROM access_audit WHERE resource_id = ? ORDER BY at_ms, id",
                     BSS_DB_ARGS(BSS_DB_STR(resource_id)), &rows, ei);
    if (!rc)
        rc = collect(rows, *out, ei);
    bss_db_rows_close(rows);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

bss_err bss_audit_list(bss_db *db, const char *resource_id, const char *key_id, int64_t offset, int64_t limit,
                       json_t **out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *out = json_array();
    if (!*out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss_db_query(
        db,
        "SELECT " AUDIT_COLS " FROM access_audit WHERE (CAST(? AS TEXT) IS NULL OR resource_id = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR key_id = ?) ORDER BY at_ms DESC, id DESC LIMIT ? OFFSET ?",
        BSS_DB_ARGS(BSS_DB_STR(resource_id), BSS_DB_STR(resource_id), BSS_DB_STR(key_id), BSS_DB_STR(key_id),
                    BSS_DB_I64(limit), BSS_DB_I64(offset)),
        &rows, ei);
    if (!rc)
        rc = collect(rows, *out, ei);
    bss_db_rows_close(rows);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
