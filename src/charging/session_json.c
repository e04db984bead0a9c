/*
 * session_json.c: online charging's requests and answers as JSON
 * (charging.h bss_cc_from_json, bss_cc_answer_json): what the REST door
 * reads and writes, and the form every answer is stored in
 * (charging_request), read back for a retransmission
 * (bss__cc_answer_from_json). The charging itself is session.c's.
 */
#include <stdio.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/money.h"
#include "core/time.h"

static const char *const types[] = {"", "initial", "update", "terminate", "event"};

/* ---- the request ---- */

static bool printable(const char *s, size_t lo, size_t hi)
{
    size_t n = s ? strlen(s) : 0;
    if (n < lo || n > hi)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
            return false;
    return true;
}

static bool digits(const char *s, size_t lo, size_t hi)
{
    size_t n = s ? strlen(s) : 0;
    return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}

static bss_err units(const json_t *v, const char *field, int64_t max, int64_t *out, bss_errinfo *ei)
{
    if (!v)
        return BSS_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return bss_fail(ei, BSS_E_INVALID, field, "%s is a whole number of units 0..%lld", field, (long long)max);
    *out = json_integer_value(v);
    return BSS_OK;
}

bss_err bss_cc_from_json(const json_t *body, bss_cc_request *out, bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a credit-control request is a JSON object");
    const char *sid = json_string_value(json_object_get(body, "sessionId"));
    if (!printable(sid, 1, BSS_CC_SESSION_ID_MAX))
        return bss_fail(ei, BSS_E_INVALID, "sessionId", "sessionId is 1..%d printable characters",
                        BSS_CC_SESSION_ID_MAX);
    snprintf(out->session_id, sizeof out->session_id, "%s", sid);
    const char *type = json_string_value(json_object_get(body, "type"));
    for (int i = 1; type && i <= BSS_CC_EVENT; i++)
        if (strcmp(type, types[i]) == 0)
            out->type = (bss_cc_type)i;
    if (!out->type)
        return bss_fail(ei, BSS_E_INVALID, "type", "type is one of initial, update, terminate, event");
    const json_t *rn = json_object_get(body, "requestNumber");
    if (!json_is_integer(rn) || json_integer_value(rn) < 0 || json_integer_value(rn) > 4294967295LL)
        return bss_fail(ei, BSS_E_INVALID, "requestNumber", "requestNumber is an integer 0..4294967295");
    out->request_number = json_integer_value(rn);
    if (out->type == BSS_CC_INITIAL && out->request_number != 0)
        return bss_fail(ei, BSS_E_INVALID, "requestNumber", "an initial request is number 0");
    const char *ms = json_string_value(json_object_get(body, "msisdn"));
    if (ms && ms[0] == '+')
        ms++;
    bool need_msisdn = out->type == BSS_CC_INITIAL || out->type == BSS_CC_EVENT;
    if ((need_msisdn || ms) && !digits(ms, 6, 15))
        return bss_fail(ei, BSS_E_INVALID, "msisdn", "msisdn is 6 to 15 digits (E.164)");
    snprintf(out->msisdn, sizeof out->msisdn, "%s", ms ? ms : "");
    const char *dest = json_string_value(json_object_get(body, "destination"));
    if (dest && !digits(dest, 1, 20))
        return bss_fail(ei, BSS_E_INVALID, "destination", "destination is 1 to 20 digits");
    snprintf(out->destination, sizeof out->destination, "%s", dest ? dest : "");
    const char *vp = json_string_value(json_object_get(body, "visitedPlmn"));
    if (vp && !(strlen(vp) >= 6 && strlen(vp) <= 7 && vp[3] == '-' && strspn(vp, "0123456789") == 3 &&
                strspn(vp + 4, "0123456789") == strlen(vp + 4)))
        return bss_fail(ei, BSS_E_INVALID, "visitedPlmn", "visitedPlmn is MCC-MNC (234-15)");
    snprintf(out->visited_plmn, sizeof out->visited_plmn, "%s", vp ? vp : "");
    bss_err rc = bss_json_get_time(body, "eventTime", "eventTime", false, &out->event_ms, ei);
    if (rc != BSS_OK)
        return rc;
    out->action = BSS_CC_DEBIT;
    const char *act = json_string_value(json_object_get(body, "action"));
    if (act && strcmp(act, "refund") == 0)
        out->action = BSS_CC_REFUND;
    else if (act && strcmp(act, "debit") != 0)
        return bss_fail(ei, BSS_E_INVALID, "action", "action is debit or refund (events)");
    if (act && out->type != BSS_CC_EVENT)
        return bss_fail(ei, BSS_E_INVALID, "action", "action is for events only");
    const json_t *svcs = json_object_get(body, "services");
    size_t n = json_array_size(svcs);
    if (!json_is_array(svcs) || (n == 0 && out->type != BSS_CC_TERMINATE) || n > BSS_CC_MAX_SERVICES)
        return bss_fail(ei, BSS_E_INVALID, "services", "services is an array of 1..%d {service, ratingGroup?, "
                        "requested?, used?}", BSS_CC_MAX_SERVICES);
    if (out->type == BSS_CC_EVENT && n != 1)
        return bss_fail(ei, BSS_E_INVALID, "services", "an event names one service");
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(svcs, i);
        bss_cc_service *c = &out->services[i];
        c->rating_group = -1;
        c->requested = -1;
        char f[64];
        snprintf(f, sizeof f, "services[%zu].service", i);
        c->service = bss_cdr_service_parse(json_string_value(json_object_get(s, "service")));
        if (!json_is_object(s) || !c->service)
            return bss_fail(ei, BSS_E_INVALID, f, "%s is one of voice, sms, mms, data, content", f);
        bss_cdr_limits lim = bss_cdr_limits_default(0);
        int64_t max = c->service == BSS_CDR_VOICE  ? lim.max_seconds
                      : c->service == BSS_CDR_DATA ? lim.max_bytes
                      : c->service == BSS_CDR_CONTENT ? lim.max_events
                                                      : lim.max_messages;
        snprintf(f, sizeof f, "services[%zu].ratingGroup", i);
        if ((rc = units(json_object_get(s, "ratingGroup"), f, 4294967295LL, &c->rating_group, ei)) != BSS_OK)
            return rc;
        snprintf(f, sizeof f, "services[%zu].requested", i);
        if ((rc = units(json_object_get(s, "requested"), f, max, &c->requested, ei)) != BSS_OK)
            return rc;
        snprintf(f, sizeof f, "services[%zu].used", i);
        if ((rc = units(json_object_get(s, "used"), f, max, &c->used, ei)) != BSS_OK)
            return rc;
        for (size_t k = 0; k < i; k++)
            if (out->services[k].service == c->service && out->services[k].rating_group == c->rating_group)
                return bss_fail(ei, BSS_E_INVALID, "services", "a service and rating group appear twice");
        if (out->type == BSS_CC_EVENT && c->requested <= 0)
            return bss_fail(ei, BSS_E_INVALID, f, "an event requests the units to debit or refund (requested > 0)");
    }
    out->nservices = n;
    return BSS_OK;
}

static const char *result_name(int code)
{
    switch (code) {
    case BSS_CC_SUCCESS:
        return "SUCCESS";
    case BSS_CC_CREDIT_LIMIT:
        return "CREDIT_LIMIT_REACHED";
    case BSS_CC_SERVICE_DENIED:
        return "END_USER_SERVICE_DENIED";
    case BSS_CC_NOT_APPLICABLE:
        return "CREDIT_CONTROL_NOT_APPLICABLE";
    case BSS_CC_USER_UNKNOWN:
        return "USER_UNKNOWN";
    case BSS_CC_RATING_FAILED:
        return "RATING_FAILED";
    case BSS_CC_UNKNOWN_SESSION:
        return "UNKNOWN_SESSION_ID";
    }
    return "";
}

json_t *bss_cc_answer_json(const bss_cc_request *r)
{
    json_t *svcs = json_array();
    for (size_t i = 0; i < r->nservices; i++) {
        const bss_cc_service *c = &r->services[i];
        json_t *o = json_pack("{s:s, s:i, s:s, s:I, s:o, s:I}", "service", bss_cdr_service_name(c->service),
                              "resultCode", c->result, "result", result_name(c->result), "granted",
                              (json_int_t)c->granted, "charged", bss_money_to_json(c->charged_micros), "usedTotal",
                              (json_int_t)c->used_total);
        if (o && c->rating_group >= 0)
            json_object_set_new(o, "ratingGroup", json_integer(c->rating_group));
        if (o && c->validity_s)
            json_object_set_new(o, "validitySeconds", json_integer(c->validity_s));
        if (o && c->final_unit) {
            json_object_set_new(o, "finalUnit", json_true());
            json_object_set_new(o, "finalUnitAction", json_string("TERMINATE"));
        }
        json_array_append_new(svcs, o);
    }
    json_t *a = json_pack("{s:s, s:I, s:s, s:i, s:s, s:o}", "sessionId", r->session_id, "requestNumber",
                          (json_int_t)r->request_number, "type", types[r->type], "resultCode", r->result, "result",
                          result_name(r->result), "services", svcs);
    if (a && r->currency[0])
        json_object_set_new(a, "currency", json_string(r->currency));
    if (a && r->reason[0])
        json_object_set_new(a, "reason", json_string(r->reason));
    return a;
}

/* A stored answer back into r (a retransmission). */
void bss__cc_answer_from_json(bss_cc_request *r, const json_t *a)
{
    r->result = (int)json_integer_value(json_object_get(a, "resultCode"));
    snprintf(r->currency, sizeof r->currency, "%s", json_string_value(json_object_get(a, "currency")) ?: "");
    snprintf(r->reason, sizeof r->reason, "%s", json_string_value(json_object_get(a, "reason")) ?: "");
    const json_t *svcs = json_object_get(a, "services");
    r->nservices = json_array_size(svcs) < BSS_CC_MAX_SERVICES ? json_array_size(svcs) : BSS_CC_MAX_SERVICES;
    for (size_t i = 0; i < r->nservices; i++) {
        const json_t *o = json_array_get(svcs, i);
        bss_cc_service *c = &r->services[i];
        memset(c, 0, sizeof *c);
        c->service = bss_cdr_service_parse(json_string_value(json_object_get(o, "service")));
        c->rating_group = json_object_get(o, "ratingGroup") ? json_integer_value(json_object_get(o, "ratingGroup")) : -1;
        c->result = (int)json_integer_value(json_object_get(o, "resultCode"));
        c->granted = json_integer_value(json_object_get(o, "granted"));
        c->used_total = json_integer_value(json_object_get(o, "usedTotal"));
        c->validity_s = json_integer_value(json_object_get(o, "validitySeconds"));
        c->final_unit = json_is_true(json_object_get(o, "finalUnit"));
        (void)bss_money_from_json(json_object_get(o, "charged"), "charged", &c->charged_micros, NULL);
    }
}
