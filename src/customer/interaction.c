/*
 * interaction.c: the customer-care contact log, the TMF683 Party
 * Interaction v4 document kind (customer.h), served at
 * /tmf-api/partyInteraction/v4/partyInteraction by src/api/tmf683.c
 * (docs/customer.md).
 * Every contact with a subscriber is one document:
 *
 *   channel        [{name, @type: ChannelRef}]; name one of call, email, chat,
 *                  shop, selfCare (system for the automatic log). A plain
 *                  string "call" is accepted and stored in that form.
 *   direction      inbound | outbound (internal: system only)
 *   reason         free text, required
 *   status         open | inProgress | completed (default completed)
 *   interactionDate {startDateTime (default now), endDateTime}
 *   relatedParty   the subscriber (Customer, Individual, Organization,
 *                  BillingAccount refs) and the agent (role "agent": the
 *                  API key's name and id unless given)
 *   relatedEntity  products, tickets, orders, accounts ({id, @referredType, role})
 *   note           [{text, author, date}], appended on PATCH (customer_int.h)
 *
 * Named resources are checked in the write's transaction when their table
 * exists; the references are indexed in care_ref (care_ref.c). Events that
 * name a subscriber add a system interaction through the outbox hook
 * bss_interaction_on_event (wired in src/modules.c), in the event's
 * transaction. Interactions are
 * records: there is no DELETE; erasure blanks their personal text.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/id.h"
#include "core/json.h"
#include "core/mem.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

static const char *const channels[] = {"call", "email", "chat", "shop", "selfCare", NULL};
static const char *const statuses[] = {"open", "inProgress", "completed", NULL};
static const char *const erase_keys[] = {"description", "reason", "reason_text", "summary", NULL};

static const bss_res_column interaction_columns[] = {
    {"direction", "direction", BSS_RES_TEXT},
    {"reason", "reason", BSS_RES_TEXT},
    {"status", "status", BSS_RES_TEXT},
    {"interactionDate.startDateTime", "interaction_ms", BSS_RES_TIME},
};

static bss_res_table interaction_table = {
    .name = "interaction",
    .columns = interaction_columns,
    .ncolumns = sizeof interaction_columns / sizeof interaction_columns[0],
};

static const char *const interaction_required[] = {"direction", "reason", "channel", NULL};

static bss_err interaction_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei);
static bss_err interaction_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc,
                                       bss_errinfo *ei);

static const char *const interaction_server_managed[] = {"lastUpdate", NULL};

const bss_doc_kind bss_interaction_kind = {
    .api = "partyInteraction",
    .path = BSS_TMF683_BASE "/partyInteraction",
    .name = "partyInteraction",
    .type = "PartyInteraction",
    .status_field = "status",
    .server_managed = interaction_server_managed,
    .table = &interaction_table,
    .required = interaction_required,
    .prepare = interaction_prepare,
    .after_store = interaction_after_store,
    .personal_data = true,
};

/* The spellings care tools send for the same channels (any case), and the name stored. */
static const struct {
    const char *alias, *name;
} channel_aliases[] = {
    {"call", "call"},        {"phone", "call"},        {"telephone", "call"},  {"voice", "call"},
    {"email", "email"},      {"e-mail", "email"},      {"mail", "email"},      {"chat", "chat"},
    {"webchat", "chat"},     {"liveChat", "chat"},     {"shop", "shop"},       {"store", "shop"},
    {"retail", "shop"},      {"selfCare", "selfCare"}, {"web", "selfCare"},    {"app", "selfCare"},
    {"portal", "selfCare"},  {"selfService", "selfCare"},
};

/* The channel name for a spelling, or NULL. */
static const char *channel_name(const char *s)
{
    for (size_t i = 0; s && i < sizeof channel_aliases / sizeof channel_aliases[0]; i++)
        if (strcasecmp(s, channel_aliases[i].alias) == 0)
            return channel_aliases[i].name;
    return NULL;
}

static int one_of(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return i;
    return -1;
}

/* channel: "call" or [{name: "call"}] -> [{name, @type}]. */
static bss_err check_channel(json_t *doc, bss_errinfo *ei)
{
    json_t *ch = json_object_get(doc, "channel");
    if (json_is_string(ch)) {
        json_t *arr = json_pack("[{s:s, s:s}]", "name", json_string_value(ch), "@type", "ChannelRef");
        if (!arr || json_object_set_new(doc, "channel", arr) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        ch = arr;
    }
    if (!json_is_array(ch) || json_array_size(ch) == 0)
        return bss_fail(ei, BSS_E_INVALID, "channel",
                        "channel must be one of call, email, chat, shop, selfCare (or [{name}])");
    size_t i;
    json_t *c;
    json_array_foreach(ch, i, c)
    {
        char path[48];
        snprintf(path, sizeof path, "channel[%zu].name", i);
        const char *name = json_string_value(json_object_get(c, "name"));
        bool system = name && strcmp(name, "system") == 0;
        const char *canon = system ? "system" : channel_name(name);
        if (!canon || (!system && one_of(canon, channels) < 0))
            return bss_fail(ei, BSS_E_INVALID, path,
                            "%s must be one of call (or phone, telephone, voice), email (e-mail, mail), chat "
                            "(webchat, liveChat), shop (store, retail), selfCare (web, app, portal, selfService)",
                            path);
        if (strcmp(canon, name) != 0 && json_object_set_new(c, "name", json_string(canon)))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        if (!json_object_get(c, "@type"))
            json_object_set_new(c, "@type", json_string("ChannelRef"));
    }
    return BSS_OK;
}

static bss_err check_enums(json_t *doc, const json_t *old, bss_errinfo *ei)
{
    const char *dir = json_string_value(json_object_get(doc, "direction"));
    if (!dir || (strcmp(dir, "inbound") != 0 && strcmp(dir, "outbound") != 0 &&
                 !(old && strcmp(dir, "internal") == 0)))
        return bss_fail(ei, BSS_E_INVALID, "direction", "direction must be inbound or outbound");
    const json_t *reason = json_object_get(doc, "reason");
    if (!json_is_string(reason) || json_string_length(reason) == 0)
        return bss_fail(ei, BSS_E_INVALID, "reason", "reason is required (a non-empty string)");
    json_t *st = json_object_get(doc, "status");
    if (!st || json_is_null(st)) {
        if (json_object_set_new(doc, "status", json_string("completed")) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else if (!json_is_string(st) || one_of(json_string_value(st), statuses) < 0) {
        return bss_fail(ei, BSS_E_INVALID, "status", "status must be one of open, inProgress, completed");
    }
    return BSS_OK;
}

static bss_err check_date(const bss_doc_ctx *ctx, json_t *doc, bss_errinfo *ei)
{
    json_t *d = json_object_get(doc, "interactionDate");
    if (!d || json_is_null(d)) {
        d = json_object();
        if (!d || json_object_set_new(doc, "interactionDate", d) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (!json_is_object(d))
        return bss_fail(ei, BSS_E_INVALID, "interactionDate",
                        "interactionDate must be {startDateTime, endDateTime}");
    int64_t start = ctx->now_ms, end = INT64_MAX;
    bss_err rc = bss_json_get_time(d, "startDateTime", "interactionDate.startDateTime", false, &start, ei);
    if (rc == BSS_OK)
        rc = bss_json_get_time(d, "endDateTime", "interactionDate.endDateTime", false, &end, ei);
    if (rc != BSS_OK)
        return rc;
    if (end < start)
        return bss_fail(ei, BSS_E_INVALID, "interactionDate.endDateTime",
                        "endDateTime is before startDateTime");
    if (!json_object_get(d, "startDateTime") && bss_json_set_time(d, "startDateTime", start) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

/* The agent: relatedParty role "agent" from the API key unless the client named one. */
static bss_err add_agent(const bss_doc_ctx *ctx, json_t *doc, bss_errinfo *ei)
{
    json_t *rp = json_object_get(doc, "relatedParty");
    size_t i;
    json_t *e;
    json_array_foreach(rp, i, e)
    {
        const char *role = json_string_value(json_object_get(e, "role"));
        if (role && strcasecmp(role, "agent") == 0)
            return BSS_OK;
    }
    if (!ctx->who)
        return BSS_OK;
    if (!json_is_array(rp)) {
        rp = json_array();
        if (!rp || json_object_set_new(doc, "relatedParty", rp) != 0)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    json_t *agent = json_pack("{s:s, s:s, s:s, s:s}", "id", ctx->who->key_id, "name", ctx->who->name, "role",
                              "agent", "@referredType", "ApiKey");
    if (!agent || json_array_append_new(rp, agent) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

/* Whether doc names a subject (anything but the agent). */
static bool has_subject(const json_t *doc)
{
    if (json_array_size(json_object_get(doc, "relatedEntity")) > 0)
        return true;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "relatedParty"), i, e)
    {
        const char *role = json_string_value(json_object_get(e, "role"));
        if (!role || strcasecmp(role, "agent") != 0)
            return true;
    }
    return false;
}

static bss_err interaction_prepare(const bss_doc_ctx *ctx, json_t *doc, const json_t *old, bss_errinfo *ei)
{
    bss_err rc = check_channel(doc, ei);
    if (!rc)
        rc = check_enums(doc, old, ei);
    if (!rc)
        rc = check_date(ctx, doc, ei);
    if (!rc)
        rc = bss__care_check_refs(ctx, doc, "relatedParty", ei);
    if (!rc)
        rc = bss__care_check_refs(ctx, doc, "relatedEntity", ei);
    if (!rc && !has_subject(doc))
        rc = bss_fail(ei, BSS_E_INVALID, "relatedParty",
                      "an interaction must name whom it concerns: relatedParty (customer, party, account) "
                      "or relatedEntity");
    if (!rc && !old)
        rc = add_agent(ctx, doc, ei);
    if (!rc)
        rc = bss__care_notes_merge(ctx, doc, old, ei);
    if (!rc && bss_json_set_time(doc, "lastUpdate", ctx->now_ms) != 0)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return rc;
}

/* after_store: the care_ref rows join the document's transaction. */
static bss_err interaction_after_store(const bss_doc_ctx *ctx, const char *id, const json_t *doc,
                                       bss_errinfo *ei)
{
    int64_t at = ctx->now_ms;
    if (!ctx->db)
        return BSS_OK;
    if (doc)
        bss_json_get_time(json_object_get(doc, "interactionDate"), "startDateTime", NULL, false, &at, NULL);
    return bss__care_refs_store(ctx->db, "interaction", id, doc, at, ei);
}

/* ---- system interactions from events ---- */

/* Whether the event's resource names a subscriber: it is one, or refers to one. */
static bool names_subscriber(const char *res_key, const json_t *res)
{
    static const char *const subjects[] = {
        "customer",     "individual",       "organization",      "billingAccount",
        "partyAccount", "financialAccount", "settlementAccount", NULL};
    static const char *const ref_keys[] = {"relatedParty", "engagedParty", "customer", "billingAccount",
                                           NULL};
    if (one_of(res_key, subjects) >= 0)
        return true;
    for (int k = 0; ref_keys[k]; k++) {
        const json_t *v = json_object_get(res, ref_keys[k]);
        if (json_is_object(v) || json_array_size(v) > 0)
            return true;
    }
    return false;
}

bss_err bss_interaction_on_event(bss_db *db, int64_t now_ms, const char *api, const char *event_type,
                                 const char *res_key, const json_t *resource, bss_errinfo *ei)
{
    /*
     * Field edits (…AttributeValueChangeEvent) would bury an agent's last-20
     * list under "CustomerAttributeValueChangeEvent"; creations, state
     * changes, deletions and business events (order placed, bill issued,
     * payment received, threshold reached) are what the timeline is for.
     */
    size_t tl = strlen(event_type), sl = strlen("AttributeValueChangeEvent");
    if (tl >= sl && strcmp(event_type + tl - sl, "AttributeValueChangeEvent") == 0)
        return BSS_OK;
    if (strcmp(api, "partyInteraction") == 0 || !names_subscriber(res_key, resource))
        return BSS_OK;
    if (!bss__store_table_exists(db, "interaction"))
        return BSS_OK;
    const char *rid = json_string_value(json_object_get(resource, "id"));
    const char *rtype = json_string_value(json_object_get(resource, "@type"));
    char id[BSS_ID_LEN + 1], href[160];
    bss_id_new(now_ms, id);
    bss_doc_href(NULL, &bss_interaction_kind, id, href, sizeof href);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:[{s:s, s:s}], s:s, s:s, s:s, s:{}, s:[], s:[{s:s?, s:s?, s:s}]}", "id", id, "href",
        href, "@type", "PartyInteraction", "channel", "name", "system", "@type", "ChannelRef", "direction",
        "internal", "reason", event_type, "status", "completed", "interactionDate", "note", "relatedEntity",
        "id", rid, "@referredType", rtype, "role", "subject");
    if (!doc)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    json_t *date = json_object_get(doc, "interactionDate");
    bss_json_set_time(date, "startDateTime", now_ms);
    bss_json_set_time(doc, "lastUpdate", now_ms);
    /* the subject's own references: its customer, party, accounts */
    static const char *const copy_keys[] = {"relatedParty", "engagedParty", "customer", "billingAccount",
                                            NULL};
    for (int k = 0; copy_keys[k]; k++) {
        const json_t *v = json_object_get(resource, copy_keys[k]);
        if (v)
            json_object_set_new(doc, k == 0 ? "relatedParty" : copy_keys[k], json_deep_copy(v));
    }
    bss_err rc = bss_resource_table_prepare(&interaction_table);
    if (rc == BSS_OK)
        rc = bss_resource_insert(db, &interaction_table, id, doc, now_ms, ei);
    if (rc == BSS_OK)
        rc = bss__care_refs_store(db, "interaction", id, doc, now_ms, ei);
    json_decref(doc);
    return rc;
}

/* ---- privacy: export and erasure (customer_int.h) ---- */

bss_err bss__interactions_export_party(bss_db *db, const char *party_id, json_t *out, bss_errinfo *ei)
{
    return bss__care_export(db, &bss_interaction_kind, "interaction", party_id, out, ei);
}

bss_err bss__interactions_erase_party(bss_db *db, const char *party_id, const char *const *also, size_t nalso,
                                      const char *pseudonym,
                                      int64_t *changed, bss_errinfo *ei)
{
    return bss__care_erase(db, &bss_interaction_kind, "interaction", erase_keys, party_id, also, nalso, pseudonym,
                           changed,
                           ei);
}
