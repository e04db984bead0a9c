/*
 * audit.c: the access audit of personal data (customer.h). Rows go to
 * access_audit (migration 0007, written and read by customer_store.c)
 * through the group-commit writer in jobs nobody waits for:
 * bss_audit_submit copies what it needs, queues the job with a completion
 * that only logs a failure and frees. Admins read the
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
    bss__audit_row row = {id, now_ms, key_id, key_name, action, resource_kind, resource_id};
    return bss__store_audit_insert(db, &row, ei);
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
            bss_err rc = bss__audit_record(db, job->now_ms, job->key_id, job->key_name, job->action,
                                           job->kind, id, ei);
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

/* bss__audit_row_fn: appends the row as {id, at, keyId, keyName, action, resourceKind, resourceId} to arg. */
static bss_err append_row(const bss__audit_row *row, void *arg, bss_errinfo *ei)
{
    static const char *const names[] = {"keyId", "keyName", "action", "resourceKind", "resourceId"};
    const char *const values[] = {row->key_id, row->key_name, row->action, row->resource_kind,
                                  row->resource_id};
    char at[32];
    bss_time_format(row->at_ms, at);
    json_t *o = json_object();
    bool bad = !o || json_object_set_new(o, "id", json_string(row->id)) ||
               json_object_set_new(o, "at", json_string(at));
    for (int i = 0; !bad && i < 5; i++)
        bad = json_object_set_new(o, names[i], values[i] ? json_string(values[i]) : json_null()) != 0;
    if (bad)
        json_decref(o);
    if (bad || json_array_append_new(arg, o)) /* the _new calls take o even when they fail */
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

bss_err bss__audit_export(bss_db *db, const char *resource_id, json_t **out, bss_errinfo *ei)
{
    *out = json_array();
    if (!*out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__store_audit_of(db, resource_id, append_row, *out, ei);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

bss_err bss_audit_list(bss_db *db, const char *resource_id, const char *key_id, int64_t offset, int64_t limit,
                       json_t **out, bss_errinfo *ei)
{
    *out = json_array();
    if (!*out)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__store_audit_list(db, resource_id, key_id, offset, limit, append_row, *out, ei);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
