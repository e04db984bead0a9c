/*
 * ticket.c: the TMF621 Trouble Ticket v4 document kind (customer.h),
 * served at /tmf-api/troubleTicket/v4/troubleTicket by src/api/tmf621.c
 * (docs/customer.md). A ticket has a ticketType, a severity (critical,
 * major, minor, low) that sets its SLA due time (expectedResolutionDate =
 * creationDate + the severity's time in sla_table), a status with the
 * transitions of customer_int.h (an illegal one is 409 STATE), an assignee
 * (relatedParty role "assignee"; moving to inProgress without one assigns
 * the API key that did it), related customer/product refs (relatedParty,
 * relatedEntity, checked when their tables exist and indexed in care_ref),
 * notes that PATCH appends (customer_int.h), and statusChange[]: every status
 * change {status, changeDate, changeReason}, kept by the server. Tickets
 * hold personal data (erased with the party); there is no DELETE.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

#define HOUR_MS (3600LL * 1000)

/* The SLA per severity: the one place to change them. */
static const struct {
    const char *severity;
    int64_t sla_ms;
} sla_table[] = {
    {"critical", 4 * HOUR_MS},
    {"major", 24 * HOUR_MS},
    {"minor", 72 * HOUR_MS},
    {"low", 7 * 24 * HOUR_MS},
};

static const char *const statuses[] = {"acknowledged", "inProgress", "pending", "resolved", "closed"};
enum { ST_ACK, ST_PROGRESS, ST_PENDING, ST_RESOLVED, ST_CLOSED, ST_COUNT };

/* allowed[from][to] */
static const bool allowed[ST_COUNT][ST_COUNT] = {
    [ST_ACK] = {[ST_ACK] = true, [ST_PROGRESS] = true},
    [ST_PROGRESS] = {[ST_PROGRESS] = true, [ST_PENDING] = true, [ST_RESOLVED] = true},
    [ST_PENDING] = {[ST_PENDING] = true, [ST_PROGRESS] = true, [ST_RESOLVED] = true},
    [ST_RESOLVED] = {[ST_RESOLVED] = true, [ST_PROGRESS] = true, [ST_CLOSED] = true},
    [ST_CLOSED] = {[ST_CLOSED] = true},
};

static const char *const erase_keys[] = {"name", "description", "statusChangeReason", "resolution", NULL};

static const bss_res_column ticket_columns[] = {
    {"status", "status", BSS_RES_TEXT},
    {"severity", "severity", BSS_RES_TEXT},
    {"ticketType", "ticket_type", BSS_RES_TEXT},
    {"expectedResolutionDate", "expected_resolution_ms", BSS_RES_TIME},
};

static bss_res_table ticket_table = {
    .name = "tmf621_trouble_ticket",
    .columns = ticket_columns,
    .ncolumns = sizeof ticket_columns / sizeof ticket_columns[0],
};

static const char *const ticket_required[] = {"description", "severity", "ticketType", NULL};

static bss_err ticket_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
static bss_err ticket_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei);

static const char *const ticket_server_managed[] = {"creationDate", "lastUpdate", "resolutionDate", "statusChange", "statusChangeDate", "expectedResolutionDate", NULL};

const bss_doc_kind bss_ticket_kind = {
    .api = "troubleTicket",
    .path = BSS_TMF621_BASE "/troubleTicket",
    .name = "troubleTicket",
    .type = "TroubleTicket",
    .status_field = "status",
    .server_managed = ticket_server_managed,
    .table = &ticket_table,
    .required = ticket_required,
    .prepare = ticket_prepare,
    .after_store = ticket_after_store,
    .personal_data = true,
};

int64_t bss__ticket_sla_ms(const char *severity)
{
    for (size_t i = 0; severity && i < sizeof sla_table / sizeof sla_table[0]; i++)
        if (strcasecmp(severity, sla_table[i].severity) == 0)
            return sla_table[i].sla_ms;
    return -1;
}

static int status_of(const char *s)
{
    for (int i = 0; s && i < ST_COUNT; i++)
        if (strcmp(s, statuses[i]) == 0)
            return i;
    return -1;
}

const char *bss__ticket_next_states(const char *from, char *buf, size_t cap)
{
    int f = status_of(from);
    if (f < 0) {
        snprintf(buf, cap, "%s", "");
        return buf;
    }
    return bss_doc_next_states(statuses, allowed[f], (int)(sizeof statuses / sizeof statuses[0]), f, buf, cap);
}

bool bss__ticket_transition_ok(const char *from, const char *to)
{
    int f = status_of(from), t = status_of(to);
    return f >= 0 && t >= 0 && allowed[f][t];
}

/* severity: one of the table (any case, stored lower-case); sets expectedResolutionDate from creationDate. */
static bss_err apply_sla(json_t *doc, int64_t created, bss_errinfo *ei)
{
    json_t *sv = json_object_get(doc, "severity");
    int64_t sla = bss__ticket_sla_ms(json_string_value(sv));
    if (sla < 0)
        return bss_fail(ei, BSS_E_INVALID, "severity", "severity must be one of critical, major, minor, low");
    for (size_t i = 0; i < sizeof sla_table / sizeof sla_table[0]; i++)
        if (strcasecmp(json_string_value(sv), sla_table[i].severity) == 0)
            json_string_set(sv, sla_table[i].severity);
    if (bss_json_set_time(doc, "expectedResolutionDate", created + sla) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

/* Appends {status, changeDate, changeReason} to statusChange (kept from old; clients cannot rewrite it). */
static bss_err record_change(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, const char *status,
                             bss_errinfo *ei)
{
    const json_t *had = old ? json_object_get(old, "statusChange") : NULL;
    json_t *hist = json_is_array(had) ? json_deep_copy(had) : json_array();
    json_t *e = json_object();
    if (!hist || !e || json_object_set_new(e, "status", json_string(status)) != 0 ||
        bss_json_set_time(e, "changeDate", ctx->now_ms) != 0 ||
        json_object_set_new(e, "@type", json_string("StatusChange")) != 0) {
        json_decref(hist);
        json_decref(e);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    const json_t *reason = json_object_get(doc, "statusChangeReason");
    if (json_is_string(reason) &&
        !(old && json_equal((json_t *)reason, json_object_get(old, "statusChangeReason"))))
        json_object_set(e, "changeReason", (json_t *)reason);
    json_array_append_new(hist, e);
    json_object_set_new(doc, "statusChange", hist);
    if (bss_json_set_time(doc, "statusChangeDate", ctx->now_ms) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

static bool has_assignee(const json_t *doc)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "relatedParty"), i, e)
    {
        const char *role = json_string_value(json_object_get(e, "role"));
        if (role && strcasecmp(role, "assignee") == 0)
            return true;
    }
    return false;
}

static bss_err assign_caller(const bss_doc_ctx *ctx, json_t *doc, bss_errinfo *ei)
{
    if (!ctx->who || has_assignee(doc))
        return BSS_OK;
    json_t *rp = json_object_get(doc, "relatedParty");
    if (!json_is_array(rp)) {
        rp = json_array();
        if (!rp || json_object_set_new(doc, "relatedParty", rp) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "id", ctx->who->key_id, "name", ctx->who->name, "role",
                          "assignee", "@referredType", "ApiKey");
    if (!a || json_array_append_new(rp, a) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

/* The status rules; *changed_to receives the new status when it changed (or on create). */
static bss_err check_status(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    json_t *st = json_object_get(doc, "status");
    const char *from = old ? json_string_value(json_object_get(old, "status")) : NULL;
    if (!st || json_is_null(st)) {
        if (json_object_set_new(doc, "status", json_string(from ? from : "acknowledged")) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        st = json_object_get(doc, "status");
    }
    const char *to = json_string_value(st);
    if (status_of(to) < 0)
        return bss_fail(ei, BSS_E_INVALID, "status",
                        "status must be one of acknowledged, inProgress, pending, resolved, closed");
    if (!old && strcmp(to, "acknowledged") != 0)
        return bss_fail(ei, BSS_E_STATE, "status", "a new ticket starts acknowledged (not %s)", to);
    char next[300];
    if (old && !bss__ticket_transition_ok(from, to))
        return bss_fail(ei, BSS_E_STATE, "status", "status cannot change from %s to %s%s", from ? from : "?", to,
                        bss__ticket_next_states(from, next, sizeof next));
    if (old && strcmp(from, to) == 0) {
        json_t *h = json_object_get(old, "statusChange");
        json_object_set_new(doc, "statusChange", h ? json_deep_copy(h) : json_array());
        json_t *d = json_object_get(old, "statusChangeDate");
        if (d)
            json_object_set_new(doc, "statusChangeDate", json_deep_copy(d));
        return BSS_OK;
    }
    bss_err rc = record_change(ctx, doc, old, to, ei);
    if (rc == BSS_OK && strcmp(to, "resolved") == 0)
        bss_json_set_time(doc, "resolutionDate", ctx->now_ms);
    else if (rc == BSS_OK)
        json_object_del(doc, "resolutionDate");
    if (rc == BSS_OK && strcmp(to, "inProgress") == 0)
        rc = assign_caller(ctx, doc, ei);
    return rc;
}

static bss_err ticket_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    int64_t created = ctx->now_ms;
    if (old) /* server-managed: creationDate stays */
        bss_json_get_time(old, "creationDate", NULL, false, &created, NULL);
    if (bss_json_set_time(doc, "creationDate", created) != 0 ||
        bss_json_set_time(doc, "lastUpdate", ctx->now_ms))
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    const json_t *tt = json_object_get(doc, "ticketType");
    if (!json_is_string(tt) || json_string_length(tt) == 0)
        return bss_fail(ei, BSS_E_INVALID, "ticketType", "ticketType is required (a non-empty string)");
    const json_t *desc = json_object_get(doc, "description");
    if (!json_is_string(desc) || json_string_length(desc) == 0)
        return bss_fail(ei, BSS_E_INVALID, "description", "description is required (a non-empty string)");
    bss_err rc = apply_sla(doc, created, ei);
    if (!rc)
        rc = bss__care_check_refs(ctx, doc, "relatedParty", ei);
    if (!rc)
        rc = bss__care_check_refs(ctx, doc, "relatedEntity", ei);
    if (!rc)
        rc = check_status(ctx, doc, old, ei);
    if (!rc)
        rc = bss__care_notes_merge(ctx, doc, old, ei);
    return rc;
}

/* after_store: the care_ref rows join the document's transaction, ordered by creation. */
static bss_err ticket_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc, bss_errinfo *ei)
{
    int64_t created = ctx->now_ms;
    if (!ctx->db)
        return BSS_OK;
    if (doc)
        bss_json_get_time(doc, "creationDate", NULL, false, &created, NULL);
    return bss__care_refs_store(ctx->db, "ticket", id, doc, created, ei);
}

bss_err bss__tickets_export_party(bss_db *db, const char *party_id, json_t *out, bss_errinfo *ei)
{
    return bss__care_export(db, &bss_ticket_kind, "ticket", party_id, out, ei);
}

bss_err bss__tickets_erase_party(bss_db *db, const char *party_id, const char *const *also, size_t nalso,
                                 const char *pseudonym, int64_t *changed,
                                 bss_errinfo *ei)
{
    return bss__care_erase(db, &bss_ticket_kind, "ticket", erase_keys, party_id, also, nalso, pseudonym, changed,
                           ei);
}
