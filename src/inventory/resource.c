/*
 * resource.c: a SIM or a number as a TMF639 Resource, the one table of
 * state moves for both, and the reads and staff changes any resource
 * shares (inventory.h): get, list, status change, history, stats.
 *
 * A SIM renders as {"@type": "SimCard", "@baseType": "Resource"}, a number
 * as {"@type": "MSISDN", "@baseType": "LogicalResource", "value":
 * "+3161..."}; resourceStatus holds the effective state, usageState is
 * "active" for an active one and "idle" otherwise; what identifies the
 * resource (ICCID, IMSI, profile, batch; number, category, prefix) is in
 * resourceCharacteristic, and the product it serves in "product". Ki, OPc,
 * PIN and PUK appear nowhere: a SIM says only whether they are held.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "doc/doc.h"
#include "inventory/inventory_int.h"

/* ---- the state table ---- */

enum { S_AVAILABLE, S_RESERVED, S_ASSIGNED, S_ACTIVE, S_RETIRED, S_LOST, S_STOLEN, S_QUARANTINED, S_PORTED_OUT, S_COUNT };

static const char *const state_names[S_COUNT] = {
    "available", "reserved", "assigned", "active", "retired", "lost", "stolen", "quarantined", "portedOut",
};

/* Who makes a move: orders (and reservations) or staff (PATCH resourceStatus). */
enum { NO = 0, ORDER = 1, STAFF = 2 };

static const unsigned char sim_moves[S_COUNT][S_COUNT] = {
    [S_AVAILABLE] = {[S_RESERVED] = ORDER, [S_RETIRED] = STAFF, [S_LOST] = STAFF, [S_STOLEN] = STAFF},
    [S_RESERVED] = {[S_AVAILABLE] = ORDER | STAFF, [S_ASSIGNED] = ORDER, [S_LOST] = STAFF, [S_STOLEN] = STAFF},
    [S_ASSIGNED] = {[S_AVAILABLE] = ORDER, [S_ACTIVE] = ORDER, [S_LOST] = STAFF, [S_STOLEN] = STAFF},
    [S_ACTIVE] = {[S_RETIRED] = ORDER, [S_LOST] = STAFF, [S_STOLEN] = STAFF},
    [S_LOST] = {[S_AVAILABLE] = STAFF, [S_RETIRED] = ORDER | STAFF, [S_STOLEN] = STAFF},
    [S_STOLEN] = {[S_RETIRED] = ORDER | STAFF},
};

static const unsigned char msisdn_moves[S_COUNT][S_COUNT] = {
    [S_AVAILABLE] = {[S_RESERVED] = ORDER, [S_RETIRED] = STAFF},
    [S_RESERVED] = {[S_AVAILABLE] = ORDER | STAFF, [S_ASSIGNED] = ORDER},
    [S_ASSIGNED] = {[S_AVAILABLE] = ORDER, [S_ACTIVE] = ORDER},
    [S_ACTIVE] = {[S_QUARANTINED] = ORDER, [S_PORTED_OUT] = ORDER},
    [S_QUARANTINED] = {[S_AVAILABLE] = STAFF, [S_RESERVED] = ORDER, [S_ACTIVE] = ORDER},
    [S_RETIRED] = {[S_AVAILABLE] = STAFF},
};

static int state_of(const char *s)
{
    for (int i = 0; s && i < S_COUNT; i++)
        if (strcmp(s, state_names[i]) == 0)
            return i;
    return -1;
}

static const unsigned char (*moves_of(bss__res_type t))[S_COUNT]
{
    return t == BSS__RES_SIM ? sim_moves : msisdn_moves;
}

bool bss__inv_move_ok(bss__res_type t, const char *from, const char *to, bool staff)
{
    int f = state_of(from), g = state_of(to);
    return f >= 0 && g >= 0 && (moves_of(t)[f][g] & (staff ? STAFF : ORDER)) != 0;
}

const char *bss__inv_next_states(bss__res_type t, const char *from, char *buf, size_t cap)
{
    int f = state_of(from);
    bool row[S_COUNT] = {0};
    for (int g = 0; f >= 0 && g < S_COUNT; g++)
        row[g] = (moves_of(t)[f][g] & STAFF) != 0;
    bool any = false;
    for (int g = 0; g < S_COUNT; g++)
        any = any || row[g];
    if (f < 0 || !any) {
        snprintf(buf, cap, "; staff cannot change a %s %s", t == BSS__RES_SIM ? "SIM" : "number",
                 f < 0 ? "in this state" : from);
        return buf;
    }
    return bss_doc_next_states(state_names, row, S_COUNT, f, buf, cap);
}

/* ---- rendering ---- */

static void characteristic(json_t *list, const char *name, json_t *value)
{
    if (value)
        json_array_append_new(list, json_pack("{s:s, s:o}", "name", name, "value", value));
}

static json_t *text_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : NULL;
}

static void common(json_t *o, const char *state, const char *reason, const char *holder, int64_t held_until,
                   const char *product_id, int64_t updated_ms, bool held)
{
    json_object_set_new(o, "resourceStatus", json_string(state));
    json_object_set_new(o, "usageState", json_string(strcmp(state, "active") == 0 ? "active" : "idle"));
    if (reason && reason[0])
        json_object_set_new(o, "statusReason", json_string(reason));
    if (held && holder && holder[0])
        json_object_set_new(o, "heldBy", json_string(holder));
    if (held && held_until)
        bss_json_set_time(o, "heldUntil", held_until);
    if (product_id && product_id[0])
        json_object_set_new(o, "product",
                            json_pack("{s:s, s:s}", "id", product_id, "@referredType", "Product"));
    bss_json_set_time(o, "lastUpdate", updated_ms);
}

/* The members every resource has: id, href, @type, @baseType, name, category. NULL on OOM. */
static json_t *resource_start(const char *base_url, const char *id, const char *type, const char *base_type,
                              const char *name, const char *category)
{
    char href[512];
    snprintf(href, sizeof href, "%s%s/resource/%s", base_url ? base_url : "", BSS_TMF639_BASE, id);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "href", href, "@type", type, "@baseType", base_type,
                     "name", name, "category", category);
}

static bool is_held(const char *state)
{
    return strcmp(state, "reserved") == 0 || strcmp(state, "assigned") == 0;
}

json_t *bss__inv_sim_json(const bss__sim_row *s, const char *base_url)
{
    char name[40];
    snprintf(name, sizeof name, "SIM %s", s->iccid);
    json_t *o = resource_start(base_url, s->iccid, BSS_INV_TYPE_SIM, "Resource", name, "SIM"), *ch = json_array();
    if (!o || !ch) {
        json_decref(o);
        json_decref(ch);
        return NULL;
    }
    common(o, s->eff, s->state_reason, s->holder, s->held_until, s->product_id, s->updated_ms, is_held(s->eff));
    characteristic(ch, "ICCID", json_string(s->iccid));
    characteristic(ch, "IMSI", json_string(s->imsi));
    characteristic(ch, "profileType", json_string(s->profile));
    characteristic(ch, "batch", json_string(s->batch));
    characteristic(ch, "warehouse", text_or_null(s->warehouse));
    characteristic(ch, "keysHeld", json_boolean(s->has_keys));
    characteristic(ch, "codesHeld", json_boolean(s->has_codes));
    json_object_set_new(o, "resourceCharacteristic", ch);
    if (s->codes_shown_ms)
        bss_json_set_time(o, "codesShownDate", s->codes_shown_ms);
    return o;
}

json_t *bss__inv_msisdn_json(const bss__msisdn_row *m, const char *base_url)
{
    char e164[20];
    snprintf(e164, sizeof e164, "+%s", m->number);
    json_t *o = resource_start(base_url, m->number, BSS_INV_TYPE_MSISDN, "LogicalResource", e164, m->category),
           *ch = json_array();
    if (!o || !ch) {
        json_decref(o);
        json_decref(ch);
        return NULL;
    }
    json_object_set_new(o, "value", json_string(e164));
    common(o, m->eff, m->state_reason, m->holder, m->held_until, m->product_id, m->updated_ms, is_held(m->eff));
    if (strcmp(m->eff, "quarantined") == 0 && m->quarantine_until)
        bss_json_set_time(o, "quarantineUntil", m->quarantine_until);
    characteristic(ch, "MSISDN", json_string(m->number));
    characteristic(ch, "prefix", json_string(m->prefix));
    characteristic(ch, "rangeId", text_or_null(m->range_id));
    characteristic(ch, "portedIn", json_boolean(m->ported_in));
    characteristic(ch, "donor", text_or_null(m->donor));
    json_object_set_new(o, "resourceCharacteristic", ch);
    return o;
}

/* An id is a SIM's (19-20 digits) or a number's (up to 15 digits); NULL when it can be neither. */
static bool digits_only(const char *id, size_t *n)
{
    *n = strlen(id);
    for (size_t i = 0; i < *n; i++)
        if (id[i] < '0' || id[i] > '9')
            return false;
    return *n > 0;
}

bss_err bss_inv_get(bss_db *db, int64_t now_ms, const char *base_url, const char *id, json_t **out,
                    bss_errinfo *ei)
{
    size_t n;
    bool found = false;
    bss_err rc = BSS_OK;
    *out = NULL;
    if (digits_only(id, &n) && n >= 19 && n <= BSS_ICCID_MAX) {
        bss__sim_row s;
        rc = bss__inv_sim_get(db, now_ms, id, &s, &found, ei);
        if (rc == BSS_OK && found)
            *out = bss__inv_sim_json(&s, base_url);
    } else if (digits_only(id, &n) && n <= BSS__MSISDN_MAX) {
        bss__msisdn_row m;
        rc = bss__inv_msisdn_get(db, now_ms, id, &m, &found, ei);
        if (rc == BSS_OK && found)
            *out = bss__inv_msisdn_json(&m, base_url);
    }
    if (rc != BSS_OK)
        return rc;
    if (!found)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no resource with id %.64s", id);
    return *out ? BSS_OK : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
}

/* ---- lists ---- */

typedef struct page {
    json_t *arr;
    const char *base_url;
    bool nomem;
} page;

static void add_sim(const bss__sim_row *s, void *arg)
{
    page *p = arg;
    json_t *o = bss__inv_sim_json(s, p->base_url);
    if (!o || json_array_append_new(p->arr, o) != 0)
        p->nomem = true;
}

static void add_msisdn(const bss__msisdn_row *m, void *arg)
{
    page *p = arg;
    json_t *o = bss__inv_msisdn_json(m, p->base_url);
    if (!o || json_array_append_new(p->arr, o) != 0)
        p->nomem = true;
}

bss_err bss_inv_list(bss_db *db, int64_t now_ms, const char *base_url, const bss_inv_filter *f, json_t **out,
                     int64_t *total, bss_errinfo *ei)
{
    bool sims = !f->type || strcmp(f->type, BSS_INV_TYPE_SIM) == 0;
    bool numbers = !f->type || strcmp(f->type, BSS_INV_TYPE_MSISDN) == 0;
    /* what selects only one of the two */
    if (f->batch || f->profile || (f->category && strcmp(f->category, "SIM") == 0))
        numbers = false;
    if (f->prefix || (f->category && strcmp(f->category, "SIM") != 0))
        sims = false;
    page p = {.arr = json_array(), .base_url = base_url};
    if (!p.arr)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    int64_t nsims = 0, nnumbers = 0;
    bss_err rc = BSS_OK;
    int64_t offset = f->offset, limit = f->limit;
    if (sims) {
        rc = bss__inv_sim_list(db, now_ms, f, offset, limit, add_sim, &p, &nsims, ei);
        int64_t used = (int64_t)json_array_size(p.arr);
        limit -= used;
        offset = offset > nsims ? offset - nsims : 0;
    }
    if (rc == BSS_OK && numbers)
        rc = bss__inv_msisdn_list(db, now_ms, f, offset, limit, add_msisdn, &p, &nnumbers, ei);
    if (rc == BSS_OK && p.nomem)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc != BSS_OK) {
        json_decref(p.arr);
        return rc;
    }
    *out = p.arr;
    *total = nsims + nnumbers;
    return BSS_OK;
}

/* ---- staff's status changes ---- */

static bss_err check_reason(const char *reason, bss_errinfo *ei)
{
    if (!reason || !reason[0])
        return bss_fail(ei, BSS_E_INVALID, "statusReason", "statusReason is required: say why the status changes");
    if (strlen(reason) > BSS_INV_REASON_MAX)
        return bss_fail(ei, BSS_E_INVALID, "statusReason", "statusReason must be at most %d bytes",
                        BSS_INV_REASON_MAX);
    return BSS_OK;
}

bss_err bss_inv_set_status(bss_db *db, const bss_inv_actor *by, const char *base_url, const char *id,
                           const char *status, const char *reason, json_t **out, bss_errinfo *ei)
{
    json_t *cur = NULL;
    bss_err rc = bss_inv_get(db, by->now_ms, base_url, id, &cur, ei);
    if (rc != BSS_OK)
        return rc;
    bss__res_type t = strcmp(json_string_value(json_object_get(cur, "@type")), BSS_INV_TYPE_SIM) == 0
                          ? BSS__RES_SIM
                          : BSS__RES_MSISDN;
    char from[BSS__STATE_MAX];
    snprintf(from, sizeof from, "%s", json_string_value(json_object_get(cur, "resourceStatus")));
    if (!status || state_of(status) < 0) {
        json_decref(cur);
        return bss_fail(ei, BSS_E_INVALID, "resourceStatus",
                        "resourceStatus must be one of available, reserved, assigned, active, retired, lost, "
                        "stolen, quarantined, portedOut");
    }
    if (strcmp(status, from) == 0) { /* nothing to change */
        *out = cur;
        return BSS_OK;
    }
    json_decref(cur);
    if ((rc = check_reason(reason, ei)) != BSS_OK)
        return rc;
    if (!bss__inv_move_ok(t, from, status, true)) {
        char next[160];
        return bss_fail(ei, BSS_E_STATE, "resourceStatus", "a %s cannot go from %s to %s by hand%s",
                        t == BSS__RES_SIM ? "SIM" : "number", from, status,
                        bss__inv_next_states(t, from, next, sizeof next));
    }
    bss__inv_move m = {.id = id, .from_eff = from, .to = status, .reason = reason};
    bool changed = false;
    rc = t == BSS__RES_SIM ? bss__inv_sim_move(db, by->now_ms, &m, &changed, ei)
                           : bss__inv_msisdn_move(db, by->now_ms, &m, &changed, ei);
    if (rc == BSS_OK && !changed)
        rc = bss_fail(ei, BSS_E_CONFLICT, "resourceStatus", "the resource changed meanwhile; read it again");
    if (rc == BSS_OK)
        rc = bss__inv_history_add(db, by, id, "status", from, status, reason, NULL, ei);
    return rc == BSS_OK ? bss_inv_get(db, by->now_ms, base_url, id, out, ei) : rc;
}

bss_err bss_inv_activate(bss_db *db, const bss_inv_actor *by, const char *id, const char *holder,
                         const char *product_id, bss_errinfo *ei)
{
    json_t *cur = NULL;
    bss_err rc = bss_inv_get(db, by->now_ms, NULL, id, &cur, ei);
    if (rc != BSS_OK)
        return rc;
    bss__res_type t = strcmp(json_string_value(json_object_get(cur, "@type")), BSS_INV_TYPE_SIM) == 0
                          ? BSS__RES_SIM
                          : BSS__RES_MSISDN;
    char state[BSS__STATE_MAX], held[BSS_INV_NAME_MAX + 1];
    snprintf(state, sizeof state, "%s", json_string_value(json_object_get(cur, "resourceStatus")));
    snprintf(held, sizeof held, "%s", json_string_value(json_object_get(cur, "heldBy")) ?: "");
    json_decref(cur);
    const char *what = t == BSS__RES_SIM ? "SIM" : "number";
    if (holder && (strcmp(state, "reserved") == 0 || strcmp(state, "assigned") == 0) && strcmp(held, holder) != 0)
        return bss_fail(ei, BSS_E_CONFLICT, "id", "%s %s is held by %s, not %s", what, id, held, holder);
    static const char *const walk[] = {"available", "reserved", "assigned", "active"};
    int at = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(state, walk[i]) == 0)
            at = i;
    if (at < 0)
        return bss_fail(ei, BSS_E_STATE, "id", "%s %s is %s; it cannot be put in service", what, id, state);
    const char *h = holder ? holder : product_id;
    for (int i = at; rc == BSS_OK && i < 3; i++) {
        bss__inv_move m = {.id = id, .from_eff = walk[i], .to = walk[i + 1], .holder = i + 1 < 3 ? h : NULL,
                           .product_id = i + 1 >= 2 ? product_id : NULL};
        bool changed = false;
        rc = t == BSS__RES_SIM ? bss__inv_sim_move(db, by->now_ms, &m, &changed, ei)
                               : bss__inv_msisdn_move(db, by->now_ms, &m, &changed, ei);
        if (rc == BSS_OK && !changed)
            rc = bss_fail(ei, BSS_E_CONFLICT, "id", "%s %s changed meanwhile", what, id);
        if (rc == BSS_OK)
            rc = bss__inv_history_add(db, by, id, walk[i + 1], walk[i], walk[i + 1], NULL, h, ei);
    }
    return rc;
}

bss_err bss_inv_retire(bss_db *db, const bss_inv_actor *by, const char *id, int64_t quarantine_days,
                       const char *reason, bss_errinfo *ei)
{
    json_t *cur = NULL;
    bss_err rc = bss_inv_get(db, by->now_ms, NULL, id, &cur, ei);
    if (rc != BSS_OK)
        return rc;
    bool sim = strcmp(json_string_value(json_object_get(cur, "@type")), BSS_INV_TYPE_SIM) == 0;
    char state[BSS__STATE_MAX];
    snprintf(state, sizeof state, "%s", json_string_value(json_object_get(cur, "resourceStatus")));
    json_decref(cur);
    if (strcmp(state, "active") != 0)
        return bss_fail(ei, BSS_E_STATE, "id", "%s %s is %s, not active", sim ? "SIM" : "number", id, state);
    const char *to = sim ? "retired" : "quarantined";
    bss__inv_move m = {.id = id, .from_eff = "active", .to = to, .reason = reason,
                       .quarantine_until = sim ? 0 : by->now_ms + quarantine_days * 86400000LL};
    if (!sim && quarantine_days == 0)
        m.quarantine_until = by->now_ms;
    bool changed = false;
    rc = sim ? bss__inv_sim_move(db, by->now_ms, &m, &changed, ei) : bss__inv_msisdn_move(db, by->now_ms, &m, &changed, ei);
    if (rc == BSS_OK && !changed)
        rc = bss_fail(ei, BSS_E_CONFLICT, "id", "%s changed meanwhile", id);
    if (rc == BSS_OK)
        rc = bss__inv_history_add(db, by, id, to, "active", to, reason, NULL, ei);
    return rc;
}

bss_err bss_inv_port_out(bss_db *db, const bss_inv_actor *by, const char *number, const char *recipient,
                         bss_errinfo *ei)
{
    bss__msisdn_row m;
    bool found = false;
    bss_err rc = bss__inv_msisdn_get(db, by->now_ms, number, &m, &found, ei);
    if (rc != BSS_OK)
        return rc;
    if (!found)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no number %.20s in the pool", number);
    if (strcmp(m.eff, "active") != 0)
        return bss_fail(ei, BSS_E_STATE, "id", "+%s is %s, not active", number, m.eff);
    char reason[BSS_INV_NAME_MAX + 32];
    snprintf(reason, sizeof reason, "ported out to %s", recipient ? recipient : "another operator");
    bss__inv_move mv = {.id = number, .from_eff = "active", .to = "portedOut", .reason = reason};
    bool changed = false;
    rc = bss__inv_msisdn_move(db, by->now_ms, &mv, &changed, ei);
    if (rc == BSS_OK && !changed)
        rc = bss_fail(ei, BSS_E_CONFLICT, "id", "+%s changed meanwhile", number);
    if (rc == BSS_OK)
        rc = bss__inv_history_add(db, by, number, "portedOut", "active", "portedOut", reason, NULL, ei);
    return rc;
}

bss_err bss_inv_history(bss_db *db, const char *id, int64_t limit, json_t **out, bss_errinfo *ei)
{
    if (limit < 1 || limit > 1000)
        return bss_fail(ei, BSS_E_INVALID, "limit", "limit must be 1..1000");
    json_t *arr = json_array();
    if (!arr)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = bss__inv_history_list(db, id, limit, arr, ei);
    if (rc != BSS_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return BSS_OK;
}

/* ---- stats ---- */

bss_err bss_inv_stats(bss_db *db, const bss_inv_config *cfg, int64_t now_ms, json_t **out, bss_errinfo *ei)
{
    json_t *sim_state = json_object(), *sim_profile = json_object(), *ms_state = json_object(),
           *ms_cat = json_object(), *prefixes = json_array(), *warnings = json_array();
    int64_t nsims = 0, nnumbers = 0;
    bss_err rc = (!sim_state || !sim_profile || !ms_state || !ms_cat || !prefixes || !warnings)
                     ? bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory")
                     : BSS_OK;
    if (rc == BSS_OK)
        rc = bss__inv_sim_counts(db, now_ms, sim_state, sim_profile, &nsims, ei);
    if (rc == BSS_OK)
        rc = bss__inv_msisdn_counts(db, now_ms, ms_state, ms_cat, prefixes, &nnumbers, ei);
    if (rc == BSS_OK) {
        size_t i;
        json_t *p;
        json_array_foreach(prefixes, i, p)
        {
            json_int_t avail = json_integer_value(json_object_get(p, "available"));
            bool low = avail < cfg->warn_left;
            json_object_set_new(p, "warning", json_boolean(low));
            if (low) {
                char msg[160];
                snprintf(msg, sizeof msg, "prefix %s has %lld numbers left (warning below %lld)",
                         json_string_value(json_object_get(p, "prefix")), (long long)avail,
                         (long long)cfg->warn_left);
                json_array_append_new(warnings, json_string(msg));
            }
        }
        if (json_integer_value(json_object_get(sim_state, "available")) < cfg->warn_left && nsims > 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "%lld SIMs available (warning below %lld)",
                     (long long)json_integer_value(json_object_get(sim_state, "available")),
                     (long long)cfg->warn_left);
            json_array_append_new(warnings, json_string(msg));
        }
        *out = json_pack("{s:{s:I, s:O, s:O}, s:{s:I, s:O, s:O}, s:O, s:I, s:O}", "sims", "total",
                         (json_int_t)nsims, "byState", sim_state, "byProfile", sim_profile, "msisdns", "total",
                         (json_int_t)nnumbers, "byState", ms_state, "byCategory", ms_cat, "prefixes", prefixes,
                         "warnLeft", (json_int_t)cfg->warn_left, "warnings", warnings);
        if (!*out)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_decref(sim_state);
    json_decref(sim_profile);
    json_decref(ms_state);
    json_decref(ms_cat);
    json_decref(prefixes);
    json_decref(warnings);
    return rc;
}
