/*
 * usage_in.c: the doors usage comes in by, as records for a batch
 * (charging.h): a TMF635 Usage body checked member by member, and a chunk
 * of a CDR file read row by row, its malformed rows kept as rejects with
 * their line numbers and original text for the reject file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charging/charging_int.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "core/parse.h"
#include "core/time.h"

/* Copies src into dst[cap], cut to fit (the lengths are checked before). */
static void put(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- a TMF635 Usage ---- */

static const char *const known_chars[] = {"recordId", "msisdn", "destination", "quantity", "unit",
                                          "ratingGroup", "visitedPlmn", "sessionId", NULL};

static int known_char(const char *name)
{
    for (int i = 0; name && known_chars[i]; i++)
        if (strcmp(name, known_chars[i]) == 0)
            return i;
    return -1;
}

/* A characteristic's value as text (a string, or an integer written out). */
static bool char_text(const json_t *v, char *buf, size_t cap)
{
    if (json_is_string(v)) {
        if (json_string_length(v) >= cap)
            return false;
        snprintf(buf, cap, "%s", json_string_value(v));
        return true;
    }
    if (json_is_integer(v)) {
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
        return true;
    }
    return false;
}

static bss_cdr_unit unit_of(bss_cdr_service s)
{
    return s == BSS_CDR_VOICE ? BSS_CDR_SECONDS
           : s == BSS_CDR_DATA ? BSS_CDR_BYTES
           : s == BSS_CDR_CONTENT ? BSS_CDR_EVENTS
                                  : BSS_CDR_MESSAGES;
}

static int64_t unit_max(const bss_cdr_limits *lim, bss_cdr_unit u)
{
    return u == BSS_CDR_SECONDS ? lim->max_seconds
           : u == BSS_CDR_MESSAGES ? lim->max_messages
           : u == BSS_CDR_BYTES    ? lim->max_bytes
                                   : lim->max_events;
}

void bss_usage_json_rec_free(bss_usage_json_rec *u)
{
    if (u) {
        bss_free(u->doc);
        u->doc = NULL;
    }
}

bss_err bss_usage_from_json(const json_t *body, const char *idem_key, const bss_cdr_limits *lim,
                            bss_usage_json_rec *out, bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(body))
        return bss_fail(ei, BSS_E_INVALID, NULL, "a usage is a JSON object");
    const char *type = json_string_value(json_object_get(body, "usageType"));
    bss_cdr_service svc = bss_cdr_service_parse(type);
    if (!svc)
        return bss_fail(ei, BSS_E_INVALID, "usageType", "usageType is one of voice, sms, mms, data, content");
    int64_t at = 0;
    bss_err rc = bss_json_get_time(body, "usageDate", "usageDate", true, &at, ei);
    if (rc != BSS_OK)
        return rc;
    if (at > lim->now_ms + lim->future_ms)
        return bss_fail(ei, BSS_E_INVALID, "usageDate", "usageDate is in the future (more than %lld s ahead)",
                        (long long)(lim->future_ms / 1000));
    const json_t *st = json_object_get(body, "status");
    if (st && !(json_is_string(st) && strcmp(json_string_value(st), "received") == 0))
        return bss_fail(ei, BSS_E_INVALID, "status", "status is the rater's: send received or nothing");
    if (json_object_get(body, "ratedProductUsage"))
        return bss_fail(ei, BSS_E_INVALID, "ratedProductUsage", "ratedProductUsage is filled by the rater");
    const json_t *spec = json_object_get(body, "usageSpecification");
    if (spec) {
        const char *sid = json_string_value(json_object_get(spec, "id"));
        if (!json_is_object(spec) || !sid || !*sid || strlen(sid) > BSS_ID_MAX)
            return bss_fail(ei, BSS_E_INVALID, "usageSpecification.id", "usageSpecification is a reference with an id");
        snprintf(out->spec_id, sizeof out->spec_id, "%s", sid);
    }
    const json_t *chars = json_object_get(body, "usageCharacteristic");
    if (chars && !json_is_array(chars))
        return bss_fail(ei, BSS_E_INVALID, "usageCharacteristic", "usageCharacteristic is an array of {name, value}");
    if (json_array_size(chars) > 64)
        return bss_fail(ei, BSS_E_INVALID, "usageCharacteristic", "a usage has at most 64 characteristics");
    char val[8][BSS_CC_SESSION_ID_MAX + 1];
    bool have[8] = {false};
    json_t *extra = json_array();
    if (!extra)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    size_t i;
    json_t *c;
    json_array_foreach(chars, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        if (!json_is_object(c) || !name || !*name) {
            json_decref(extra);
            return bss_fail(ei, BSS_E_INVALID, "usageCharacteristic.name", "each characteristic has a name");
        }
        int k = known_char(name);
        if (k < 0) {
            json_array_append(extra, c);
            continue;
        }
        if (have[k] || !char_text(json_object_get(c, "value"), val[k], sizeof val[k])) {
            json_decref(extra);
            return bss_fail(ei, BSS_E_INVALID, "usageCharacteristic.value", "characteristic %s %s", name,
                            have[k] ? "appears twice" : "has no usable value (a string or an integer)");
        }
        have[k] = true;
    }
    /* recordId or the Idempotency-Key is the id */
    const char *id = have[0] ? val[0] : idem_key;
    rc = BSS_OK;
    if (!id || !*id)
        rc = bss_fail(ei, BSS_E_INVALID, "recordId",
                      "a usage changes money: give it a recordId characteristic or an Idempotency-Key header");
    else if (!bss_usage_id_ok(id, strlen(id)))
        rc = bss_fail(ei, BSS_E_INVALID, "recordId", "recordId is 1..128 of A-Z a-z 0-9 . _ : ~ -");
    const char *ms = have[1] ? (val[1][0] == '+' ? val[1] + 1 : val[1]) : NULL;
    size_t mn = ms ? strlen(ms) : 0;
    if (!rc && (!ms || mn < 6 || mn > 15 || strspn(ms, "0123456789") != mn))
        rc = bss_fail(ei, BSS_E_INVALID, "msisdn", "characteristic msisdn is required: 6 to 15 digits (E.164)");
    bool calls = svc == BSS_CDR_VOICE || svc == BSS_CDR_SMS || svc == BSS_CDR_MMS;
    size_t dn = have[2] ? strlen(val[2]) : 0;
    if (!rc && calls && (dn < 1 || dn > 20 || strspn(val[2], "0123456789") != dn))
        rc = bss_fail(ei, BSS_E_INVALID, "destination", "characteristic destination is 1 to 20 digits for %s", type);
    if (!rc && !calls && dn)
        rc = bss_fail(ei, BSS_E_INVALID, "destination", "a %s usage has no destination", type);
    bss_cdr_unit unit = unit_of(svc);
    if (!rc && have[4] && strcmp(val[4], bss_cdr_unit_name(unit)) != 0)
        rc = bss_fail(ei, BSS_E_INVALID, "unit", "a %s usage counts in %s, not %.16s", type, bss_cdr_unit_name(unit),
                      val[4]);
    int64_t qty = -1;
    if (!rc && (!have[3] || bss_parse_int64(val[3], strlen(val[3]), BSS_NUM_DIGITS, 0, INT64_MAX, &qty) != BSS_OK))
        rc = bss_fail(ei, BSS_E_INVALID, "quantity", "characteristic quantity is required: a whole number >= 0 in %s",
                      bss_cdr_unit_name(unit));
    if (!rc && qty > unit_max(lim, unit))
        rc = bss_fail(ei, BSS_E_INVALID, "quantity", "quantity %lld is more than the most a usage may hold (%lld %s)",
                      (long long)qty, (long long)unit_max(lim, unit), bss_cdr_unit_name(unit));
    int64_t rg = -1;
    if (!rc && have[5] &&
        (svc != BSS_CDR_DATA ||
         bss_parse_int64(val[5], strlen(val[5]), BSS_NUM_DIGITS, 0, INT64_C(4294967295), &rg) != BSS_OK))
        rc = bss_fail(ei, BSS_E_INVALID, "ratingGroup", "ratingGroup is an integer 0..4294967295, for data only");
    const char *v = have[6] ? val[6] : "";
    if (!rc && *v &&
        !(strlen(v) >= 6 && strlen(v) <= 7 && v[3] == '-' && strspn(v, "0123456789") == 3 &&
          strspn(v + 4, "0123456789") == strlen(v + 4)))
        rc = bss_fail(ei, BSS_E_INVALID, "visitedPlmn", "visitedPlmn is MCC-MNC (234-15)");
    if (rc != BSS_OK) {
        json_decref(extra);
        return rc;
    }
    /* what is kept: the members the rater does not own, the other characteristics */
    json_t *keep = json_deep_copy(body);
    static const char *const drop[] = {"id", "href", "status", "usageDate", "usageType", "usageCharacteristic",
                                       "ratedProductUsage", "statusReason", NULL};
    for (int k = 0; keep && drop[k]; k++)
        json_object_del(keep, drop[k]);
    if (keep && json_array_size(extra))
        json_object_set(keep, "usageCharacteristic", extra);
    json_decref(extra);
    if (!keep)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    rc = bss_pan_reject_json(keep, ei);
    if (rc == BSS_OK && json_object_size(keep)) {
        out->doc = json_dumps(keep, BSS_JSON_DUMP_FLAGS);
        if (!out->doc)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        else if (strlen(out->doc) > BSS_USAGE_DOC_MAX)
            rc = bss_fail(ei, BSS_E_TOO_BIG, NULL, "a usage keeps at most %d bytes besides its event",
                          BSS_USAGE_DOC_MAX);
    }
    json_decref(keep);
    if (rc != BSS_OK) {
        bss_usage_json_rec_free(out);
        return rc;
    }
    put(out->id, sizeof out->id, id);
    put(out->msisdn, sizeof out->msisdn, ms);
    put(out->dest, sizeof out->dest, have[2] ? val[2] : "");
    put(out->plmn, sizeof out->plmn, v);
    put(out->session, sizeof out->session, have[7] ? val[7] : "");
    out->rec = (bss_usage_rec){.id = out->id,
                               .start_ms = at,
                               .msisdn = out->msisdn,
                               .service = svc,
                               .destination = out->dest,
                               .quantity = qty,
                               .rating_group = rg,
                               .visited_plmn = out->plmn,
                               .doc = out->doc,
                               .session_id = out->session[0] ? out->session : NULL};
    return BSS_OK;
}

/* ---- a chunk of a CDR file ---- */

void bss_usage_chunk_free(bss_usage_chunk *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nrejects; i++)
        bss_free(c->rejects[i].raw);
    bss_free(c->rejects);
    bss_free(c->raw);
    memset(c, 0, sizeof *c);
}

/* text[0..n) as UTF-8 for JSON: each byte of an invalid sequence becomes U+FFFD. */
static char *utf8_text(const char *text, size_t n)
{
    char *out = bss_malloc(n * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        size_t len = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3 : (s[i] & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = len > 0 && i + len <= n && !(len == 2 && s[i] < 0xc2);
        for (size_t k = 1; ok && k < len; k++)
            ok = (s[i + k] & 0xc0) == 0x80;
        if (ok && len > 1) {
            json_t *probe = json_stringn((const char *)s + i, len); /* jansson's own check: overlongs, surrogates */
            ok = probe != NULL;
            json_decref(probe);
        }
        if (ok) {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

static bss_err add_reject(bss_usage_chunk *c, int64_t line, const char *field, const char *code, const char *reason,
                          const char *raw, size_t raw_len)
{
    if (c->nrejects == c->caprejects) {
        size_t cap = c->caprejects ? c->caprejects * 2 : 16;
        bss_usage_reject *n = bss_realloc(c->rejects, cap * sizeof *n);
        if (!n)
            return BSS_E_NOMEM;
        c->rejects = n;
        c->caprejects = cap;
    }
    bss_usage_reject *r = &c->rejects[c->nrejects];
    memset(r, 0, sizeof *r);
    r->line = line;
    put(r->field, sizeof r->field, field);
    r->code = code;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
    r->raw = utf8_text(raw, raw ? raw_len : 0);
    if (!r->raw)
        return BSS_E_NOMEM;
    c->nrejects++;
    return BSS_OK;
}

/* "line 7: reason" (or "reason") -> "line <7 + offset>: reason": the file's line, not the chunk's */
static void renumber(char *msg, size_t cap, int64_t line, int64_t offset)
{
    char rest[256];
    const char *colon = strstr(msg, ": ");
    put(rest, sizeof rest, colon && strncmp(msg, "line ", 5) == 0 ? colon + 2 : msg);
    char head[32];
    snprintf(head, sizeof head, "line %lld: ", (long long)(line + offset));
    put(msg, cap, head);
    size_t n = strlen(msg);
    put(msg + n, cap - n, rest);
}

static int by_line(const void *a, const void *b)
{
    const bss_usage_reject *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

bss_err bss_usage_chunk_read(bss_usage_chunk *c, const char *data, size_t len, int64_t line_offset,
                             const bss_cdr_limits *lim, bss_usage_batch *b, bss_errinfo *ei)
{
    memset(c, 0, sizeof *c);
    c->line_offset = line_offset;
    bss_cdr_reader *rd = bss_malloc(sizeof *rd);
    c->raw = bss_calloc(BSS_USAGE_BATCH_MAX, sizeof *c->raw);
    if (!rd || !c->raw) {
        bss_free(rd);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    bss_err rc = bss_cdr_open(rd, data, len, lim, ei);
    if (rc != BSS_OK) {
        bss_free(rd);
        return rc;
    }
    for (;;) {
        bss_cdr cdr;
        const char *raw = NULL;
        size_t raw_len = 0;
        bss_errinfo rei;
        bss_errinfo_clear(&rei);
        rc = bss_cdr_next(rd, &cdr, &raw, &raw_len, &rei);
        if (rc == BSS_E_DONE) {
            rc = BSS_OK;
            break;
        }
        c->read++;
        int64_t line = cdr.line + line_offset;
        if (rc == BSS_OK && bss_usage_batch_count(b) >= BSS_USAGE_BATCH_MAX) {
            bss_free(rd);
            return bss_fail(ei, BSS_E_TOO_BIG, NULL, "a chunk holds at most %d records", BSS_USAGE_BATCH_MAX);
        }
        char doc[4096] = "";
        if (rc == BSS_OK) {
            /* card numbers are refused wherever free text comes in: the id and the extra columns */
            rc = bss_pan_reject_text(cdr.record_id, strlen(cdr.record_id), "record_id", &rei);
            json_t *chars = cdr.nextra ? json_array() : NULL;
            for (size_t k = 0; rc == BSS_OK && k < cdr.nextra; k++) {
                rc = bss_pan_reject_text(cdr.extra[k].value, strlen(cdr.extra[k].value), cdr.extra[k].name, &rei);
                json_array_append_new(chars, json_pack("{s:s, s:s, s:s}", "name", cdr.extra[k].name, "value",
                                                       cdr.extra[k].value, "valueType", "string"));
            }
            if (rc != BSS_OK) {
                char f[64];
                put(f, sizeof f, rei.field);
                snprintf(rei.message, sizeof rei.message, "column %s holds what looks like a card number", f);
            }
            if (rc == BSS_OK && chars) {
                json_t *o = json_pack("{s:O}", "usageCharacteristic", chars);
                char *t = o ? json_dumps(o, BSS_JSON_DUMP_FLAGS) : NULL;
                if (t && strlen(t) < sizeof doc)
                    snprintf(doc, sizeof doc, "%s", t);
                bss_free(t);
                json_decref(o);
            }
            json_decref(chars);
        }
        if (rc == BSS_OK) {
            const char *sess = NULL;
            for (size_t k = 0; k < cdr.nextra; k++)
                if (strcmp(cdr.extra[k].name, "session_id") == 0)
                    sess = cdr.extra[k].value;
            bss_usage_rec rec = {.id = cdr.record_id,
                                 .session_id = sess,
                                 .start_ms = cdr.start_ms,
                                 .msisdn = cdr.msisdn,
                                 .service = cdr.service,
                                 .destination = cdr.destination,
                                 .quantity = cdr.quantity,
                                 .rating_group = cdr.rating_group,
                                 .visited_plmn = cdr.visited_plmn,
                                 .doc = doc[0] ? doc : NULL,
                                 .line = line};
            size_t at = bss_usage_batch_count(b);
            rc = bss_usage_batch_add(b, &rec, &rei);
            if (rc == BSS_OK) {
                c->raw[at].p = raw;
                c->raw[at].len = raw_len;
                continue;
            }
        }
        if (rc == BSS_E_NOMEM) {
            bss_free(rd);
            return bss_fail(ei, rc, NULL, "out of memory");
        }
        char msg[256];
        snprintf(msg, sizeof msg, "%s", rei.message);
        renumber(msg, sizeof msg, cdr.line, line_offset);
        if (add_reject(c, line, rei.field, "malformed", msg, raw, raw_len) != BSS_OK) {
            bss_free(rd);
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        }
    }
    bss_free(rd);
    return rc;
}

bss_err bss_usage_chunk_results(bss_usage_chunk *c, const bss_usage_batch *b, bss_errinfo *ei)
{
    for (size_t i = 0; i < bss_usage_batch_count(b); i++) {
        const bss_usage_result *r = bss_usage_batch_result(b, i);
        if (r->status != BSS_USAGE_REJECTED)
            continue;
        char msg[256];
        snprintf(msg, sizeof msg, "line %lld: %s", (long long)bss_usage_batch_line(b, i), r->reason);
        const char *field = strcmp(r->reason_code, "beforeActivation") == 0 ? "start_time"
                            : strcmp(r->reason_code, "notRated") == 0       ? "service"
                                                                            : "msisdn";
        if (add_reject(c, bss_usage_batch_line(b, i), field, r->reason_code, msg, c->raw[i].p, c->raw[i].len) !=
            BSS_OK)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (c->nrejects > 1)
        qsort(c->rejects, c->nrejects, sizeof *c->rejects, by_line);
    return BSS_OK;
}
