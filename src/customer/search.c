/*
 * search.c: the customer search index and its query (customer.h). Writers of
 * parties, customers, accounts and products call bss_search_index_doc
 * (customer.h) inside their transaction: it replaces the document's rows of
 * search_index (its SQL is in customer_store.c) with the terms read from the
 * document (names folded, e-mail, phone, account number, MSISDN, ICCID,
 * id). bss_search_run answers GET /api/v1/search (src/api/care.c): exact
 * lookups for e-mail, phone and ids, a range scan for name prefixes, both
 * on the one term index, so a lookup costs a few B-tree probes at any size
 * (bench/search_bench.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "core/mem.h"
#include "core/phone.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

/* ASCII folding of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A); "" = word break. */
static const char *const fold_table[0x180 - 0xC0] = {
    /* C0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    /* D0 */ "d",  "n", "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    /* E0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    /* F0 */ "d",  "n", "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
    /* 100 */ "a", "a", "a",  "a",  "a", "a", "c",  "c", "c", "c", "c", "c", "c", "c", "d",  "d",
    /* 110 */ "d", "d", "e",  "e",  "e", "e", "e",  "e", "e", "e", "e", "e", "g", "g", "g",  "g",
    /* 120 */ "g", "g", "g",  "g",  "h", "h", "h",  "h", "i", "i", "i", "i", "i", "i", "i",  "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k",  "k", "k", "l", "l", "l", "l", "l", "l",  "l",
    /* 140 */ "l", "l", "l",  "n",  "n", "n", "n",  "n", "n", "n", "n", "n", "o", "o", "o",  "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r",  "r", "r", "r", "s", "s", "s", "s", "s",  "s",
    /* 160 */ "s", "s", "t",  "t",  "t", "t", "t",  "t", "u", "u", "u", "u", "u", "u", "u",  "u",
    /* 170 */ "u", "u", "u",  "u",  "w", "w", "y",  "y", "y", "z", "z", "z", "z", "z", "z",  "s",
};

/* Decodes one UTF-8 sequence at s[0..len); returns its length (0 = invalid byte) and the code point. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07u;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

typedef struct fold_out {
    char *out;
    size_t cap, len;
    bool pending_space;
} fold_out;

/* Appends piece (n bytes) to the folded output, with a pending word break first; false when full. */
static bool fold_put(fold_out *o, const char *piece, size_t n)
{
    size_t need = n + (o->pending_space && o->len > 0 ? 1 : 0);
    if (o->len + need + 1 > o->cap)
        return false;
    if (o->pending_space && o->len > 0)
        o->out[o->len++] = ' ';
    o->pending_space = false;
    memcpy(o->out + o->len, piece, n);
    o->len += n;
    return true;
}

size_t bss_search_fold(const char *in, size_t len, char *out, size_t cap)
{
    fold_out o = {.out = out, .cap = cap, .len = 0, .pending_space = false};
    const unsigned char *s = (const unsigned char *)in;
    if (cap == 0)
        return 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_next(s + i, len - i, &cp);
        if (n == 0) {
            i++;
            continue;
        }
        bool ok = true;
        if (cp < 0x80) {
            char c = (char)cp;
            if (isalnum((unsigned char)c)) {
                char lc = (char)tolower((unsigned char)c);
                ok = fold_put(&o, &lc, 1);
            } else if (c != '\'' && c != '`') {
                o.pending_space = true;
            }
        } else if (cp >= 0xC0 && cp < 0x180) {
            const char *f = fold_table[cp - 0xC0];
            if (f[0] == '\0')
                o.pending_space = true;
            else
                ok = fold_put(&o, f, strlen(f));
        } else if (cp == 0x2019 || cp == 0x2018 || cp == 0xB4) {
            /* typographic apostrophes join, like ' */
        } else if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000) {
            o.pending_space = true; /* Latin-1 symbols, general punctuation, spaces */
        } else {
            ok = fold_put(&o, (const char *)s + i, n); /* other scripts: kept */
        }
        if (!ok)
            break;
        i += n;
    }
    out[o.len] = '\0';
    return o.len;
}

bool bss_search_norm_phone(const char *in, char out[20])
{
    if (bss_phone_try_e164(in, strlen(in), out)) /* a whole number, national forms included */
        return true;
    size_t nd = 0;
    const char *p = in;
    while (*p == ' ')
        p++;
    if (*p == '+')
        p++;
    else if (p[0] == '0' && p[1] == '0')
        p += 2;
    out[0] = '+';
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (nd >= 15)
                return false;
            out[1 + nd++] = *p;
        } else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')') {
            return false;
        }
    }
    out[1 + nd] = '\0';
    return nd >= 3;
}

/*
 * Length of the first n bytes of s without a trailing incomplete UTF-8
 * sequence, so text cut at n bytes stays valid UTF-8 (a TEXT parameter
 * with half a character is refused by PostgreSQL).
 */
static size_t utf8_cut_len(const char *s, size_t n)
{
    size_t j = n;
    while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80 && n - j < 3)
        j--;
    if (j == 0)
        return n;
    unsigned char lead = (unsigned char)s[j - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return want > 1 && n - (j - 1) < want ? j - 1 : n;
}

/* Lower-cases ASCII of s into out (cap bytes, cut between characters, trimmed); returns the length. */
static size_t lower_copy(const char *s, char *out, size_t cap)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = 0;
    for (; s[n] && n + 1 < cap; n++)
        out[n] = (char)tolower((unsigned char)s[n]);
    if (s[n])
        n = utf8_cut_len(out, n);
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    out[n] = '\0';
    return n;
}

bss_err bss_search_put_term(bss_db *db, const char *term, const char *field, const char *kind, const char *id,
                            const char *customer_id, const char *display, bss_errinfo *ei)
{
    return bss__store_search_put(db, term, field, kind, id, customer_id, display, ei);
}

/* The terms of one document, deduplicated before they are written. */
#define TERMS_MAX 48
typedef struct term_set {
    size_t n;
    struct {
        char term[BSS_SEARCH_TERM_MAX];
        const char *field;
    } t[TERMS_MAX];
} term_set;

static void terms_add(term_set *ts, const char *term, const char *field)
{
    if (term[0] == '\0' || ts->n >= TERMS_MAX)
        return;
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->t[i].term, term) == 0 && strcmp(ts->t[i].field, field) == 0)
            return;
    snprintf(ts->t[ts->n].term, sizeof ts->t[ts->n].term, "%s", term);
    ts->t[ts->n].field = field;
    ts->n++;
}

/* A name: the whole folded name and each of its words. */
static void terms_add_name(term_set *ts, const char *name)
{
    char f[BSS_SEARCH_TERM_MAX];
    size_t n = bss_search_fold(name, strlen(name), f, sizeof f);
    if (n == 0)
        return;
    terms_add(ts, f, "name");
    char *save = NULL;
    for (char *w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save))
        terms_add(ts, w, "name");
}

static void terms_add_exact(term_set *ts, const char *value, const char *field)
{
    char buf[BSS_SEARCH_TERM_MAX];
    if (strcmp(field, "phone") == 0) {
        char ph[20];
        if (bss_search_norm_phone(value, ph))
            terms_add(ts, ph, "phone");
        return;
    }
    lower_copy(value, buf, sizeof buf);
    terms_add(ts, buf, field);
}

static const char *str_member(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s && s[0] ? s : NULL;
}

/* The display name of a document: fullName, formattedName, given + family, name, tradingName, id. */
static void display_of(const json_t *doc, const char *id, char *out, size_t cap)
{
    const char *full = str_member(doc, "fullName");
    if (!full)
        full = str_member(doc, "formattedName");
    const char *given = str_member(doc, "givenName"), *family = str_member(doc, "familyName");
    if (full)
        snprintf(out, cap, "%s", full);
    else if (given || family)
        snprintf(out, cap, "%s%s%s", given ? given : "", given && family ? " " : "", family ? family : "");
    else if (str_member(doc, "name"))
        snprintf(out, cap, "%s", str_member(doc, "name"));
    else if (str_member(doc, "tradingName"))
        snprintf(out, cap, "%s", str_member(doc, "tradingName"));
    else
        snprintf(out, cap, "%s", id);
    out[utf8_cut_len(out, strlen(out))] = '\0'; /* snprintf cuts at a byte */
}

/* name/value characteristics: msisdn, iccid, accountNumber (any case). */
static void terms_from_characteristics(term_set *ts, const json_t *arr)
{
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        const char *name = str_member(c, "name");
        const char *value = json_string_value(json_object_get(c, "value"));
        if (!name || !value)
            continue;
        if (strcasecmp(name, "msisdn") == 0)
            terms_add_exact(ts, value, "phone");
        else if (strcasecmp(name, "iccid") == 0)
            terms_add_exact(ts, value, "iccid");
        else if (strcasecmp(name, "accountNumber") == 0)
            terms_add_exact(ts, value, "account");
    }
}

static void terms_from_contacts(term_set *ts, const json_t *arr)
{
    size_t i;
    json_t *cm;
    json_array_foreach(arr, i, cm)
    {
        const json_t *ch = json_object_get(cm, "characteristic");
        const char *email = str_member(ch, "emailAddress");
        const char *phone = str_member(ch, "phoneNumber");
        if (email)
            terms_add_exact(ts, email, "email");
        if (phone)
            terms_add_exact(ts, phone, "phone");
    }
}

static void terms_of_doc(term_set *ts, const json_t *doc, const char *id, const char *display)
{
    static const char *const name_keys[] = {"name",       "tradingName", "givenName",          "familyName",
                                            "middleName", "legalName",   "preferredGivenName", NULL};
    terms_add_name(ts, display);
    for (size_t k = 0; name_keys[k]; k++)
        if (str_member(doc, name_keys[k]))
            terms_add_name(ts, str_member(doc, name_keys[k]));
    terms_add_exact(ts, id, "id");
    if (str_member(doc, "accountNumber"))
        terms_add_exact(ts, str_member(doc, "accountNumber"), "account");
    if (str_member(doc, "msisdn"))
        terms_add_exact(ts, str_member(doc, "msisdn"), "phone");
    if (str_member(doc, "iccid"))
        terms_add_exact(ts, str_member(doc, "iccid"), "iccid");
    if (str_member(doc, "email"))
        terms_add_exact(ts, str_member(doc, "email"), "email");
    terms_from_contacts(ts, json_object_get(doc, "contactMedium"));
    terms_from_characteristics(ts, json_object_get(doc, "characteristic"));
    terms_from_characteristics(ts, json_object_get(doc, "productCharacteristic"));
    terms_from_characteristics(ts, json_object_get(doc, "partyCharacteristic"));
}

bss_err bss_search_index_doc(bss_db *db, const char *kind, const char *id, const char *customer_id,
                             const json_t *doc, bss_errinfo *ei)
{
    if (!kind || !id)
        return bss_fail(ei, BSS_E_INVALID, NULL, "search index: kind and id are required");
    bss_err rc = bss__store_search_drop(db, kind, id, ei);
    if (rc != BSS_OK || !doc)
        return rc;
    term_set *ts = bss_calloc(1, sizeof *ts);
    if (!ts)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    char display[BSS_SEARCH_TERM_MAX];
    display_of(doc, id, display, sizeof display);
    terms_of_doc(ts, doc, id, display);
    if (customer_id && !customer_id[0])
        customer_id = NULL;
    for (size_t i = 0; i < ts->n && rc == BSS_OK; i++)
        rc = bss_search_put_term(db, ts->t[i].term, ts->t[i].field, kind, id, customer_id, display, ei);
    bss_free(ts);
    return rc;
}

bss_err bss__search_doc_terms(const json_t *doc, const char *id, char *display, bss__search_term_fn fn,
                              void *arg)
{
    term_set *ts = bss_calloc(1, sizeof *ts);
    if (!ts)
        return BSS_E_NOMEM;
    display_of(doc, id, display, BSS_SEARCH_TERM_MAX);
    terms_of_doc(ts, doc, id, display);
    for (size_t i = 0; i < ts->n; i++)
        fn(arg, ts->t[i].term, ts->t[i].field);
    bss_free(ts);
    return BSS_OK;
}

size_t bss__search_lower(const char *s, char *out, size_t cap)
{
    return lower_copy(s, out, cap);
}

/* ---- queries ---- */

typedef struct hits {
    json_t *arr;
    int limit;
    bool full; /* arr holds limit entries: the store reads no further row */
} hits;

static bool hits_has(const hits *h, const char *kind, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(h->arr, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "id")), id) == 0 &&
            strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0)
            return true;
    }
    return false;
}

/* bss__search_row_fn: adds a row's entity to the hits (arg) unless it is there already. */
static bss_err hits_add(const bss__search_row *row, void *arg, bss_errinfo *ei)
{
    hits *h = arg;
    const char *term = row->term, *kind = row->kind, *id = row->entity_id, *cust = row->customer_id;
    if (!term || !kind || !id || hits_has(h, kind, id))
        return BSS_OK;
    json_t *e =
        json_pack("{s:o, s:s, s:s, s:s, s:s}", "customerId", cust ? json_string(cust) : json_null(), "kind",
                  kind, "id", id, "display", row->display ? row->display : id, "matched", term);
    if (!e || json_array_append_new(h->arr, e) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    h->full = (int)json_array_size(h->arr) >= h->limit;
    return BSS_OK;
}

static bss_err search_exact(hits *h, bss_db *db, const char *term, bss_errinfo *ei)
{
    if (term[0] == '\0')
        return BSS_OK;
    return bss__store_search_exact(db, term, &h->full, hits_add, h, ei);
}

/*
 * Name prefix: a range on the byte-ordered term index (customer_store.c),
 * in index order so LIMIT stops the scan early. One person may match by
 * several of its name terms: when the rows read collapse to fewer than
 * limit hits, the next page is read (a few rounds).
 */
static bss_err search_prefix(hits *h, bss_db *db, const char *folded, bss_errinfo *ei)
{
    int64_t fetch = (int64_t)h->limit * 2 + 8, offset = 0, nrows = 0;
    for (int round = 0; round < 4 && !h->full; round++) {
        bss_err rc = bss__store_search_names(db, folded, fetch, offset, &h->full, hits_add, h, &nrows, ei);
        if (rc != BSS_OK)
            return rc;
        if (nrows < fetch)
            break;
        offset += fetch;
    }
    return BSS_OK;
}

/* A party indexed before its customer existed: its customer is the one engaging it (tmf629_customer). */
static bss_err resolve_customers(bss_db *db, json_t *arr, bss_errinfo *ei)
{
    bool checked = false, have = false;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        if (!json_is_null(json_object_get(e, "customerId")))
            continue;
        if (!checked) {
            checked = true;
            have = bss__store_table_exists(db, "tmf629_customer");
        }
        if (!have)
            return BSS_OK;
        json_t *customer_id = NULL;
        bss_err rc =
            bss__store_party_customer(db, json_string_value(json_object_get(e, "id")), &customer_id, ei);
        if (rc != BSS_OK)
            return rc;
        if (customer_id)
            json_object_set_new(e, "customerId", customer_id);
    }
    return BSS_OK;
}

/*
 * One row per person: the documents that matched (the party, its customer,
 * its accounts) grouped by the customer they belong to (a document with
 * none stands alone). The row shows the person: the party's document when
 * it matched, else the customer's, else the best-ranked one (kind, id,
 * display, matched), and lists every document in matches, in rank order.
 */
static int person_rank(const json_t *e)
{
    const char *k = json_string_value(json_object_get(e, "kind"));
    return !k ? 3 : (strcmp(k, "individual") == 0 || strcmp(k, "organization") == 0) ? 0
                   : strcmp(k, "customer") == 0                                     ? 1
                                                                                     : 2;
}

static json_t *group_by_person(const json_t *arr)
{
    json_t *rows = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        if (!rows)
            return NULL;
        const json_t *cust = json_object_get(e, "customerId");
        json_t *row = NULL;
        size_t k;
        json_t *r;
        json_array_foreach(rows, k, r)
        {
            if (json_is_string(cust) && json_equal(json_object_get(r, "customerId"), (json_t *)cust)) {
                row = r;
                break;
            }
        }
        json_t *m = json_pack("{s:O, s:O, s:O, s:O}", "kind", json_object_get(e, "kind"), "id",
                              json_object_get(e, "id"), "display", json_object_get(e, "display"), "matched",
                              json_object_get(e, "matched"));
        if (!m) {
            json_decref(rows);
            return NULL;
        }
        if (!row) {
            row = json_deep_copy(e);
            if (!row || json_object_set_new(row, "matches", json_array()) || json_array_append_new(rows, row)) {
                json_decref(m);
                json_decref(rows);
                return NULL;
            }
        }
        if (json_array_append_new(json_object_get(row, "matches"), m)) {
            json_decref(rows);
            return NULL;
        }
        if (person_rank(e) < person_rank(row)) /* the person's own document shows the row */
            for (const char *const *f = (const char *const[]){"kind", "id", "display", "matched", NULL}; *f; f++)
                json_object_set(row, *f, json_object_get(e, *f));
    }
    return rows;
}

bss_err bss_search_run(bss_db *db, const char *q, int limit, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    char low[BSS_SEARCH_TERM_MAX], folded[BSS_SEARCH_TERM_MAX], phone[20];
    if (!q || lower_copy(q, low, sizeof low) == 0)
        return bss_fail(ei, BSS_E_INVALID, "q",
                        "q is required: a name prefix, e-mail, phone, MSISDN, ICCID, "
                        "account number or id");
    if (limit < 1 || limit > BSS_SEARCH_LIMIT_MAX)
        return bss_fail(ei, BSS_E_INVALID, "limit", "limit must be 1..%d", BSS_SEARCH_LIMIT_MAX);
    hits h = {.arr = json_array(), .limit = limit};
    if (!h.arr)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err rc = search_exact(&h, db, low, ei);
    if (rc == BSS_OK && strchr(low, '@') == NULL && bss_search_norm_phone(low, phone) &&
        strcmp(phone, low) != 0)
        rc = search_exact(&h, db, phone, ei);
    if (rc == BSS_OK && strchr(low, '@') == NULL && bss_search_fold(q, strlen(q), folded, sizeof folded) > 0)
        rc = search_prefix(&h, db, folded, ei);
    if (rc == BSS_OK)
        rc = resolve_customers(db, h.arr, ei);
    json_t *rows = rc == BSS_OK ? group_by_person(h.arr) : NULL;
    json_decref(h.arr);
    if (rc == BSS_OK && !rows)
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (rc != BSS_OK)
        return rc;
    *out = rows;
    return BSS_OK;
}
