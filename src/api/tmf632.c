/*
 * tmf632.c: TMF632 Party Management v4 over HTTP (/tmf-api/party/v4):
 * the bindings of the individual and organization kinds (customer.h) and
 * the routes that hang off a party:
 *
 *   POST {party}/{id}/consent  {purpose, channel, granted, source,
 *        wordingVersion, note?} -> 201 the decision (bss_consent_decide)
 *   GET  {party}/{id}/consent            -> 200 [current state per purpose and channel]
 *   GET  {party}/{id}/consent?history=true -> 200 [every decision, oldest first]
 *   GET  {party}/{id}/export   -> 200 everything held about the party (admin, agent)
 *   POST {party}/{id}/erase    -> 200 the erasure's result (admin, agent)
 *
 * where {party} is individual or organization. Parties are read by every
 * staff role and written by admin and agent keys; consent reads,
 * exports and erasures are recorded in the access audit.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/query.h"
#include "api/routes.h"
#include "api/tmf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/pan.h"
#include "core/mem.h"
#include "customer/customer.h"

#define PARTY_READERS BSS_ROLES_READERS
#define PARTY_WRITERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT)
#define PARTY_EXPORTERS (BSS_ROLE_ADMIN | BSS_ROLE_AGENT | BSS_ROLE_PRIVACY) /* the right of access */
#define PARTY_ERASERS (BSS_ROLE_ADMIN | BSS_ROLE_PRIVACY)                   /* the right to erasure */
#define BSS_ERASE_REASON_MAX 500

static const bss_tmf_binding individual = {
    .kind = &bss_individual_kind,
    BSS_TMF_PATHS(BSS_TMF632_BASE, "individual"),
    .read_roles = PARTY_READERS,
    .write_roles = PARTY_WRITERS,
    BSS_TMF_NAMES("tmf632.individual"),
};

static const bss_tmf_binding organization = {
    .kind = &bss_organization_kind,
    BSS_TMF_PATHS(BSS_TMF632_BASE, "organization"),
    .read_roles = PARTY_READERS,
    .write_roles = PARTY_WRITERS,
    BSS_TMF_NAMES("tmf632.organization"),
};

/* The party kind a route serves (its route data). */
static const bss_doc_kind *party_of(const bss_req *r)
{
    return r->route->data;
}

/* The {id} of a party route, or NULL after answering 404 for one no party can have. */
static const char *party_id(bss_req *r)
{
    return bss_tmf_path_id(r, "party");
}

/* ---- consent ---- */

#define CONSENT_CHANNELS_MAX 8 /* channels one request may decide at once */

typedef struct consent_job {
    const bss_doc_kind *kind;
    int64_t now_ms;
    char party_id[BSS_ID_MAX + 1];
    char recorded_by[128];
    size_t n;                            /* decisions: one per channel */
    bool many;                           /* channel was a list: the answer is a list */
    json_t *body[CONSENT_CHANNELS_MAX]; /* each owns the strings of its in */
    bss_consent_input in[CONSENT_CHANNELS_MAX];
    json_t *result;
} consent_job;

static void consent_job_free(consent_job *job)
{
    for (size_t i = 0; i < job->n; i++)
        json_decref(job->body[i]);
    json_decref(job->result);
    bss_free(job);
}

/* Every decision in one transaction: all channels are recorded, or none. */
static bss_err consent_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    consent_job *job = arg;
    json_decref(job->result); /* a batch retry runs the job again */
    job->result = job->many ? json_array() : NULL;
    if (job->many && !job->result)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < job->n; i++) {
        json_t *one = NULL;
        bss_err rc = bss_consent_decide(db, job->kind, job->now_ms, &job->in[i], &one, ei);
        if (rc)
            return rc;
        if (!job->many)
            job->result = one;
        else if (json_array_append_new(job->result, one))
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    return BSS_OK;
}

static void consent_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    consent_job *job = arg;
    bss_http_reply(r, rc, ei, 201, &job->result);
    consent_job_free(job);
}

/*
 * The decisions of a body: one, or one per channel when channel is a list
 * ["sms", "email"] (1..CONSENT_CHANNELS_MAX, no repeats), each parsed as a
 * body of its own so every rule and message is the single decision's.
 */
static bss_err consent_inputs(consent_job *job, json_t *body, bss_errinfo *ei)
{
    json_t *ch = json_object_get(body, "channel");
    if (!json_is_array(ch)) {
        job->body[0] = json_incref(body);
        job->n = 1;
        return bss_consent_parse(body, &job->in[0], ei);
    }
    job->many = true;
    size_t n = json_array_size(ch);
    if (n == 0 || n > CONSENT_CHANNELS_MAX)
        return bss_fail(ei, BSS_E_INVALID, "channel", "channel is one channel or a list of 1 to %d",
                        CONSENT_CHANNELS_MAX);
    for (size_t i = 0; i < n; i++) {
        char path[32];
        snprintf(path, sizeof path, "channel[%zu]", i);
        json_t *one = json_copy(body);
        if (!one || json_object_set(one, "channel", json_array_get(ch, i))) {
            json_decref(one);
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        }
        job->body[job->n] = one;
        bss_err rc = bss_consent_parse(one, &job->in[job->n], ei);
        job->n++;
        if (rc) {
            if (strcmp(ei->field, "channel") == 0)
                snprintf(ei->field, sizeof ei->field, "%s", path);
            return rc;
        }
        for (size_t k = 0; k + 1 < job->n; k++)
            if (strcmp(job->in[k].channel, job->in[job->n - 1].channel) == 0)
                return bss_fail(ei, BSS_E_INVALID, path, "%s repeats the channel %s", path,
                                job->in[k].channel);
    }
    return BSS_OK;
}

static int consent_post(bss_req *r, const bss_doc_kind *kind, const char *id)
{
    json_t *body = bss_http_json_body(r, true);
    if (!body)
        return 0;
    consent_job *job = bss_calloc(1, sizeof *job);
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = job ? consent_inputs(job, body, &ei) : bss_fail(&ei, BSS_E_NOMEM, NULL, "out of memory");
    json_decref(body);
    if (rc) {
        if (job)
            consent_job_free(job);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    job->kind = kind;
    job->now_ms = bss_clock_now(&r->app->clock);
    snprintf(job->party_id, sizeof job->party_id, "%s", id);
    if (r->who)
        snprintf(job->recorded_by, sizeof job->recorded_by, "%s", r->who->name);
    for (size_t i = 0; i < job->n; i++) {
        job->in[i].party_id = job->party_id;
        job->in[i].recorded_by = r->who ? job->recorded_by : NULL;
    }
    bss_http_write(r, consent_run, job, consent_done);
    return 0;
}

static int h_consent_post(bss_req *r)
{
    const char *id = party_id(r);
    return id ? consent_post(r, party_of(r), id) : 0;
}

/* The party a customer engages (its kind and id), or false after answering 404 / 409. */
static bool customer_party(bss_req *r, const bss_doc_kind **kind, char *pid, size_t cap)
{
    const char *id = bss_tmf_path_id(r, "customer");
    if (!id)
        return false;
    json_t *c = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_doc_load(r->db, &bss_customer_kind, id, &c, NULL, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return false;
    }
    const json_t *ep = json_object_get(c, "engagedParty");
    const char *p = json_string_value(json_object_get(ep, "id"));
    const char *type = json_string_value(json_object_get(ep, "@referredType"));
    *kind = type && strcasecmp(type, "Organization") == 0 ? &bss_organization_kind : &bss_individual_kind;
    if (p)
        snprintf(pid, cap, "%s", p);
    json_decref(c);
    if (!p) {
        bss_http_send_fail(r, BSS_E_CONFLICT, "engagedParty", "customer %s engages no party: its consents are its party's",
                           id);
        return false;
    }
    return true;
}

static int h_customer_consent_post(bss_req *r)
{
    const bss_doc_kind *kind;
    char pid[BSS_ID_MAX + 1];
    return customer_party(r, &kind, pid, sizeof pid) ? consent_post(r, kind, pid) : 0;
}

/* history=true|false, the only parameter of a consent read; -1 after answering 400. */
static int history_of(bss_req *r)
{
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_query q;
    bss_err rc = bss_query_parse(r->query, r->query ? r->query_len : 0, &q, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return -1;
    }
    int history = 0;
    for (size_t i = 0; !rc && i < q.nfilters; i++) {
        const bss_query_filter *f = &q.filters[i];
        if (i > 0 && strcmp(f->attr, "history") == 0)
            rc = bss_fail(&ei, BSS_E_INVALID, f->param, "history is given more than once");
        else if (strcmp(f->attr, "history") == 0 && f->nvalues == 1 &&
            (strcmp(f->values[0], "true") == 0 || strcmp(f->values[0], "false") == 0))
            history = strcmp(f->values[0], "true") == 0;
        else
            rc = bss_fail(&ei, BSS_E_INVALID, f->param, "%s: only history=true|false is understood here",
                          f->param);
    }
    bss_query_free(&q);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return -1;
    }
    return history;
}

static int consent_get(bss_req *r, const bss_doc_kind *kind, const char *id)
{
    int history = history_of(r);
    if (history < 0)
        return 0;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    json_t *arr = NULL;
    bss_err rc = bss_consent_read(r->db, kind, id ? id : "", history == 1, &arr, &ei);
    if (rc) {
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    bss_audit_submit(r->app, r->who, "read", "consent", id, strlen(id));
    bss_http_send_json(r, 200, arr);
    return 0;
}

static int h_consent_get(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    return consent_get(r, party_of(r), id ? id : "");
}

static int h_customer_consent_get(bss_req *r)
{
    const bss_doc_kind *kind;
    char pid[BSS_ID_MAX + 1];
    return customer_party(r, &kind, pid, sizeof pid) ? consent_get(r, kind, pid) : 0;
}

/* ---- privacy ---- */

typedef struct export_args {
    const bss_doc_kind *kind;
    char id[BSS_ID_MAX + 1];
    int64_t now_ms;
    bool key_names; /* the access audit names the staff keys (admin callers only) */
} export_args;

static bss_err export_read(bss_db *db, void *arg, json_t **out, bss_errinfo *ei)
{
    const export_args *ea = arg;
    bss_err rc = bss_party_export(db, ea->kind, ea->id, ea->now_ms, out, ei);
    if (rc || ea->key_names)
        return rc;
    /* who read the data, by action and time; which staff key did is for admins (as /admin/v1/audit is) */
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(*out, "accessAudit"), i, row)
    {
        json_object_del(row, "keyId");
        json_object_del(row, "keyName");
    }
    return BSS_OK;
}

static void export_sent(bss_req *r, const json_t *doc, void *arg)
{
    (void)doc;
    const export_args *ea = arg;
    bss_log(BSS_LOG_INFO, "party.exported", "kind", ea->kind->name, "id", ea->id, "by",
            r->who ? r->who->name : NULL, NULL);
    bss_audit_submit(r->app, r->who, "export", ea->kind->name, ea->id, strlen(ea->id));
}

static int h_export(bss_req *r)
{
    const char *id = bss_http_param(r, "id");
    if (!id || strlen(id) > BSS_ID_MAX) {
        bss_http_send_fail(r, BSS_E_NOT_FOUND, "id", "no %s with id %.64s", party_of(r)->name, id ? id : "");
        return 0;
    }
    export_args *ea = bss_calloc(1, sizeof *ea);
    if (!ea) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    ea->kind = party_of(r);
    memcpy(ea->id, id, strlen(id) + 1);
    ea->now_ms = bss_clock_now(&r->app->clock);
    ea->key_names = r->who && r->who->role == BSS_ROLE_ADMIN;
    bss_http_read_json(r, export_read, ea, bss_free, export_sent);
    return 0;
}

typedef struct erase_job {
    const bss_doc_kind *kind;
    int64_t now_ms;
    char party_id[BSS_ID_MAX + 1];
    bss_principal who;
    bool has_who;
    char reason[BSS_ERASE_REASON_MAX + 1];
    json_t *result;
} erase_job;

/* The erasure's reason from the body {"reason": "..."}: 1..BSS_ERASE_REASON_MAX bytes, no card number. */
static bss_err erase_reason(bss_req *r, char *out, bss_errinfo *ei)
{
    h2o_iovec_t b = bss_http_body(r);
    if (b.len == 0)
        return bss_fail(ei, BSS_E_INVALID, "reason",
                        "an erasure needs a reason: send {\"reason\": \"...\"} (the customer's request, its ticket)");
    size_t ct_len = 0;
    const char *ct = bss_http_header(r, "Content-Type", &ct_len);
    bss_err rc = bss_http_check_body_type(ct, ct_len, false, ei);
    json_t *body = NULL;
    if (!rc)
        rc = bss_json_parse(b.base, b.len, &body, ei);
    if (rc)
        return rc;
    const json_t *v = json_object_get(body, "reason");
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;
    while (s && n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (!json_is_object(body))
        rc = bss_fail(ei, BSS_E_INVALID, NULL, "the request body must be a JSON object");
    else if (!s || n == 0)
        rc = bss_fail(ei, BSS_E_INVALID, "reason", "reason must be a non-empty string: why the person is erased");
    else if (n > BSS_ERASE_REASON_MAX)
        rc = bss_fail(ei, BSS_E_INVALID, "reason", "reason is at most %d bytes", BSS_ERASE_REASON_MAX);
    else if (!(rc = bss_pan_reject_text(s, n, "reason", ei))) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    json_decref(body);
    return rc;
}

static bss_err erase_run(bss_db *db, void *arg, bss_errinfo *ei)
{
    erase_job *job = arg;
    json_decref(job->result); /* a batch retry runs the job again */
    job->result = NULL;
    return bss_party_erase(db, job->kind, job->party_id, job->now_ms, job->has_who ? &job->who : NULL, job->reason,
                           &job->result, ei);
}

static void erase_done(bss_req *r, bss_err rc, const bss_errinfo *ei, void *arg)
{
    erase_job *job = arg;
    if (rc == BSS_OK)
        bss_log(BSS_LOG_INFO, "party.erased", "kind", job->kind->name, "id", job->party_id, "by",
                job->has_who ? job->who.name : NULL, "reason", job->reason, NULL);
    bss_http_reply(r, rc, ei, 200, &job->result);
    json_decref(job->result);
    bss_free(job);
}

static int h_erase(bss_req *r)
{
    const char *id = party_id(r);
    if (!id)
        return 0;
    erase_job *job = bss_calloc(1, sizeof *job);
    if (!job) {
        bss_http_send_fail(r, BSS_E_NOMEM, NULL, "out of memory");
        return 0;
    }
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = erase_reason(r, job->reason, &ei);
    if (rc) {
        bss_free(job);
        bss_http_send_error(r, rc, &ei);
        return 0;
    }
    job->kind = party_of(r);
    job->now_ms = bss_clock_now(&r->app->clock);
    snprintf(job->party_id, sizeof job->party_id, "%s", id);
    if (r->who) {
        job->who = *r->who;
        job->has_who = true;
    }
    bss_http_write(r, erase_run, job, erase_done);
    return 0;
}

/* ---- routes ---- */

#define PARTY_ROUTES(seg, kind_)                                                                             \
    {"GET", BSS_TMF632_BASE "/" seg "/{id}/consent", h_consent_get, PARTY_READERS, "tmf632.consent.get",     \
     &kind_},                                                                                                \
        {"POST",                                                                                             \
         BSS_TMF632_BASE "/" seg "/{id}/consent",                                                            \
         h_consent_post,                                                                                     \
         PARTY_WRITERS,                                                                                      \
         "tmf632.consent.create",                                                                            \
         &kind_},                                                                                            \
        {"GET", BSS_TMF632_BASE "/" seg "/{id}/export", h_export, PARTY_EXPORTERS, "tmf632.party.export",      \
         &kind_},                                                                                            \
    {                                                                                                        \
        "POST", BSS_TMF632_BASE "/" seg "/{id}/erase", h_erase, PARTY_ERASERS, "tmf632.party.erase", &kind_  \
    }

static const bss_route party_routes[] = {
    PARTY_ROUTES("individual", bss_individual_kind),
    PARTY_ROUTES("organization", bss_organization_kind),
    /* the same consents by customer id: those of the party the customer engages */
    {"GET", BSS_TMF629_BASE "/customer/{id}/consent", h_customer_consent_get, PARTY_READERS,
     "tmf629.consent.get", NULL},
    {"POST", BSS_TMF629_BASE "/customer/{id}/consent", h_customer_consent_post, PARTY_WRITERS,
     "tmf629.consent.create", NULL},
};

bss_err bss_tmf632_routes(bss_router *rt, const bss_app *app)
{
    (void)app;
    static const bss_tmf_binding *const all[] = {&individual, &organization, NULL};
    bss_err rc = bss_tmf_register_all(rt, all);
    for (size_t i = 0; !rc && i < sizeof party_routes / sizeof party_routes[0]; i++)
        rc = bss_router_add(rt, &party_routes[i]);
    return rc;
}
