/*
 * customer_store.c: every SQL statement of the customer module, behind the
 * typed bss__store_ functions of customer_int.h: consents (party_consent),
 * the access audit (access_audit), party identifications, account number
 * counters (tmf666_account_seq), the care records' index (care_ref) and
 * reference checks, the reads and rewrites of customers and accounts by
 * export and erasure, the search index (search_index) and the view's reads.
 * Documents of the module's kinds go through doc/doc.h and db/resource.h,
 * not through here. The statements are written once for SQLite and
 * PostgreSQL (db/db.h: `?` placeholders, BIGINT and TEXT) and each is a
 * static string literal, one per table where the table varies: the store
 * caches prepared statements by the text's pointer, so every connection
 * prepares each of them once.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/money.h"
#include "core/time.h"
#include "customer/customer.h"
#include "customer/customer_int.h"

bool bss__store_table_exists(bss_db *db, const char *table)
{
    bool exists = false;
    return bss_db_table_exists(db, table, &exists, NULL) == BSS_OK && exists;
}

/* ---- consent (party_consent) ---- */

#define CONSENT_COLS                                                                                         \
    "id, party_id, purpose, channel, granted, at_ms, source, wording_version, recorded_by, note"

static const char SQL_CONSENT_GRANTED[] =
    "SELECT granted FROM party_consent WHERE party_id = ? AND purpose = ? "
    "AND channel = ? ORDER BY seq DESC LIMIT 1";
static const char SQL_CONSENT_NEXT_SEQ[] = "SELECT COALESCE(MAX(seq), 0) + 1 FROM party_consent WHERE "
                                           "party_id = ? AND purpose = ? AND channel = ?";
static const char SQL_CONSENT_INSERT[] =
    "INSERT INTO party_consent (id, party_id, purpose, channel, seq, granted, at_ms, source, "
    "wording_version, recorded_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_CONSENT_GET[] = "SELECT " CONSENT_COLS " FROM party_consent WHERE id = ?";
static const char SQL_CONSENT_HISTORY[] = "SELECT " CONSENT_COLS " FROM party_consent WHERE party_id = ? "
                                          "ORDER BY at_ms, purpose, channel, seq";
static const char SQL_CONSENT_CURRENT[] =
    "SELECT " CONSENT_COLS " FROM party_consent c WHERE party_id = ? AND seq = "
    "(SELECT MAX(d.seq) FROM party_consent d WHERE d.party_id = c.party_id AND "
    "d.purpose = c.purpose AND d.channel = c.channel) ORDER BY purpose, channel";
static const char SQL_CONSENT_ERASE[] =
    "UPDATE party_consent SET note = '[erased]' WHERE party_id = ? AND note IS NOT NULL";

static bss__consent_row consent_row(bss_db_rows *rows)
{
    return (bss__consent_row){.id = bss_db_col_text(rows, 0, NULL),
                              .party_id = bss_db_col_text(rows, 1, NULL),
                              .purpose = bss_db_col_text(rows, 2, NULL),
                              .channel = bss_db_col_text(rows, 3, NULL),
                              .granted = bss_db_col_int64(rows, 4),
                              .at_ms = bss_db_col_int64(rows, 5),
                              .source = bss_db_col_text(rows, 6, NULL),
                              .wording_version = bss_db_col_text(rows, 7, NULL),
                              .recorded_by = bss_db_col_text(rows, 8, NULL),
                              .note = bss_db_col_text(rows, 9, NULL)};
}

bss_err bss__store_consent_granted(bss_db *db, const char *party_id, const char *purpose, const char *channel,
                                   int64_t *granted, bss_errinfo *ei)
{
    return bss_db_query_int64(db, SQL_CONSENT_GRANTED,
                              BSS_DB_ARGS(BSS_DB_STR(party_id), BSS_DB_STR(purpose), BSS_DB_STR(channel)),
                              granted, ei);
}

bss_err bss__store_consent_insert(bss_db *db, const char *id, int64_t now_ms, const bss_consent_input *in,
                                  bss_errinfo *ei)
{
    int64_t seq = 0;
    bss_err rc = bss_db_query_int64(
        db, SQL_CONSENT_NEXT_SEQ,
        BSS_DB_ARGS(BSS_DB_STR(in->party_id), BSS_DB_STR(in->purpose), BSS_DB_STR(in->channel)), &seq, ei);
    if (rc)
        return rc;
    return bss_db_exec(db, SQL_CONSENT_INSERT,
                       BSS_DB_ARGS(BSS_DB_STRN(id, strlen(id)), BSS_DB_STR(in->party_id),
                                   BSS_DB_STR(in->purpose), BSS_DB_STR(in->channel), BSS_DB_I64(seq),
                                   BSS_DB_I64(in->granted ? 1 : 0), BSS_DB_I64(now_ms),
                                   BSS_DB_STR(in->source), BSS_DB_STR(in->wording_version),
                                   BSS_DB_STR(in->recorded_by), BSS_DB_STR(in->note)),
                       NULL, ei);
}

bss_err bss__store_consent_get(bss_db *db, const char *id, bss__consent_row_fn fn, void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_CONSENT_GET, BSS_DB_ARGS(BSS_DB_STRN(id, strlen(id))), &rows, ei);
    if (!rc && bss_db_next(rows)) {
        bss__consent_row row = consent_row(rows);
        rc = fn(&row, arg, ei);
    }
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__store_consent_list(bss_db *db, const char *party_id, bool history, bss__consent_row_fn fn,
                                void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, history ? SQL_CONSENT_HISTORY : SQL_CONSENT_CURRENT,
                              BSS_DB_ARGS(BSS_DB_STR(party_id)), &rows, ei);
    while (!rc && bss_db_next(rows)) {
        bss__consent_row row = consent_row(rows);
        rc = fn(&row, arg, ei);
    }
    if (!rc && (rc = bss_db_rows_error(rows)) != BSS_OK)
        bss_fail(ei, rc, NULL, "could not read consents");
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__store_consent_erase(bss_db *db, const char *party_id, int64_t *changed, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_CONSENT_ERASE, BSS_DB_ARGS(BSS_DB_STR(party_id)), changed, ei);
}

/* ---- the access audit (access_audit) ---- */

#define AUDIT_COLS "id, at_ms, key_id, key_name, action, resource_kind, resource_id"

static const char SQL_AUDIT_INSERT[] = "INSERT INTO access_audit (id, at_ms, key_id, key_name, action, "
                                       "resource_kind, resource_id) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_AUDIT_OF[] =
    "SELECT " AUDIT_COLS " FROM access_audit WHERE resource_id = ? ORDER BY at_ms, id";
/* one statement per set of filters given, each on its index ("? IS NULL OR col = ?" can use none) */
#define AUDIT_PAGE " ORDER BY at_ms DESC, id DESC LIMIT ? OFFSET ?"
static const char SQL_AUDIT_LIST_ALL[] = "SELECT " AUDIT_COLS " FROM access_audit" AUDIT_PAGE;
static const char SQL_AUDIT_LIST_RESOURCE[] = "SELECT " AUDIT_COLS " FROM access_audit WHERE resource_id = ?" AUDIT_PAGE;
static const char SQL_AUDIT_LIST_KEY[] = "SELECT " AUDIT_COLS " FROM access_audit WHERE key_id = ?" AUDIT_PAGE;
static const char SQL_AUDIT_LIST_BOTH[] =
    "SELECT " AUDIT_COLS " FROM access_audit WHERE resource_id = ? AND key_id = ?" AUDIT_PAGE;

bss_err bss__store_audit_insert(bss_db *db, const bss__audit_row *row, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_AUDIT_INSERT,
                       BSS_DB_ARGS(BSS_DB_STRN(row->id, strlen(row->id)), BSS_DB_I64(row->at_ms),
                                   BSS_DB_STR(row->key_id), BSS_DB_STR(row->key_name),
                                   BSS_DB_STR(row->action), BSS_DB_STR(row->resource_kind),
                                   BSS_DB_STR(row->resource_id)),
                       NULL, ei);
}

/* Runs one audit query and calls fn for each row. */
static bss_err audit_rows(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs,
                          bss__audit_row_fn fn, void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, sql, args, nargs, &rows, ei);
    while (!rc && bss_db_next(rows)) {
        bss__audit_row row = {.id = bss_db_col_text(rows, 0, NULL),
                              .at_ms = bss_db_col_int64(rows, 1),
                              .key_id = bss_db_col_text(rows, 2, NULL),
                              .key_name = bss_db_col_text(rows, 3, NULL),
                              .action = bss_db_col_text(rows, 4, NULL),
                              .resource_kind = bss_db_col_text(rows, 5, NULL),
                              .resource_id = bss_db_col_text(rows, 6, NULL)};
        rc = fn(&row, arg, ei);
    }
    if (!rc && (rc = bss_db_rows_error(rows)) != BSS_OK)
        bss_fail(ei, rc, NULL, "could not read the access audit");
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__store_audit_of(bss_db *db, const char *resource_id, bss__audit_row_fn fn, void *arg,
                            bss_errinfo *ei)
{
    return audit_rows(db, SQL_AUDIT_OF, BSS_DB_ARGS(BSS_DB_STR(resource_id)), fn, arg, ei);
}

bss_err bss__store_audit_list(bss_db *db, const char *resource_id, const char *key_id, int64_t offset,
                              int64_t limit, bss__audit_row_fn fn, void *arg, bss_errinfo *ei)
{
    bool r = resource_id != NULL, k = key_id != NULL;
    bss_db_val v[4];
    size_t n = 0;
    if (r)
        v[n++] = BSS_DB_STR(resource_id);
    if (k)
        v[n++] = BSS_DB_STR(key_id);
    v[n++] = BSS_DB_I64(limit);
    v[n++] = BSS_DB_I64(offset);
    const char *sql = r && k ? SQL_AUDIT_LIST_BOTH : r ? SQL_AUDIT_LIST_RESOURCE : k ? SQL_AUDIT_LIST_KEY : SQL_AUDIT_LIST_ALL;
    return audit_rows(db, sql, v, n, fn, arg, ei);
}

/* ---- party identifications (party_identification) ---- */

static const char SQL_IDENT_DROP[] = "DELETE FROM party_identification WHERE party_id = ?";
static const char SQL_IDENT_OWNER[] = "SELECT party_id FROM party_identification WHERE id_type = ? AND "
                                      "id_number = ? AND issuing_country = ?";
static const char SQL_IDENT_INSERT[] = "INSERT INTO party_identification (party_id, party_kind, id_type, "
                                       "id_number, issuing_country) VALUES (?, ?, ?, ?, ?)";

bss_err bss__store_ident_drop(bss_db *db, const char *party_id, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_IDENT_DROP, BSS_DB_ARGS(BSS_DB_STR(party_id)), NULL, ei);
}

bss_err bss__store_ident_taken(bss_db *db, const char *type, const char *number, const char *country,
                               bool *taken, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *taken = false;
    bss_err rc =
        bss_db_query(db, SQL_IDENT_OWNER,
                     BSS_DB_ARGS(BSS_DB_STRN(type, strlen(type)), BSS_DB_STRN(number, strlen(number)),
                                 BSS_DB_STRN(country, strlen(country))),
                     &rows, ei);
    if (rc)
        return rc;
    *taken = bss_db_next(rows);
    bss_db_rows_close(rows);
    return BSS_OK;
}

bss_err bss__store_ident_insert(bss_db *db, const char *party_id, const char *party_kind, const char *type,
                                const char *number, const char *country, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_IDENT_INSERT,
                       BSS_DB_ARGS(BSS_DB_STR(party_id), BSS_DB_STR(party_kind),
                                   BSS_DB_STRN(type, strlen(type)), BSS_DB_STRN(number, strlen(number)),
                                   BSS_DB_STRN(country, strlen(country))),
                       NULL, ei);
}

/* ---- account numbers (tmf666_account_seq) ---- */

static const char SQL_SEQ_BUMP[] =
    "UPDATE tmf666_account_seq SET last_value = last_value + 1 WHERE prefix = ?";
static const char SQL_SEQ_READ[] = "SELECT last_value FROM tmf666_account_seq WHERE prefix = ?";

bss_err bss__store_account_seq_next(bss_db *db, const char *prefix, int64_t *n, bss_errinfo *ei)
{
    bss_err rc = bss_db_exec(db, SQL_SEQ_BUMP, BSS_DB_ARGS(BSS_DB_STR(prefix)), NULL, ei);
    if (!rc)
        rc = bss_db_query_int64(db, SQL_SEQ_READ, BSS_DB_ARGS(BSS_DB_STR(prefix)), n, ei);
    return rc;
}

/* ---- care records' index (care_ref) and reference checks ---- */

static const char SQL_CARE_DROP[] = "DELETE FROM care_ref WHERE kind = ? AND entity_id = ?";
static const char SQL_CARE_ADD[] =
    "INSERT INTO care_ref (kind, entity_id, ref_id, ref_type, sort_ms) VALUES (?, ?, ?, ?, ?)";
static const char SQL_CARE_FIND[] = "SELECT entity_id, sort_ms FROM care_ref WHERE ref_id = ? AND kind = ? "
                                    "ORDER BY sort_ms DESC, entity_id DESC LIMIT ?";
static const char SQL_CARE_RENAME[] = "UPDATE care_ref SET ref_id = ? WHERE ref_id = ? AND kind = ?";

bss_err bss__store_care_refs_drop(bss_db *db, const char *kind, const char *entity_id, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_CARE_DROP, BSS_DB_ARGS(BSS_DB_STR(kind), BSS_DB_STR(entity_id)), NULL, ei);
}

bss_err bss__store_care_ref_add(bss_db *db, const char *kind, const char *entity_id, const char *ref_id,
                                const char *ref_type, int64_t sort_ms, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_CARE_ADD,
                       BSS_DB_ARGS(BSS_DB_STR(kind), BSS_DB_STR(entity_id),
                                   BSS_DB_STRN(ref_id, strlen(ref_id)),
                                   BSS_DB_STRN(ref_type, strlen(ref_type)), BSS_DB_I64(sort_ms)),
                       NULL, ei);
}

/* One hit of bss__store_care_refs_find, copied out of the rows. */
typedef struct care_hit {
    char *id;
    int64_t ms;
} care_hit;

/* Reads the rows into a new array of hits (*n of them); BSS_E_NOMEM or a read error. */
static bss_err care_hits_read(bss_db_rows *rows, care_hit **out, size_t *n, bss_errinfo *ei)
{
    size_t cap = 0;
    care_hit *hits = NULL;
    bss_err rc = BSS_OK;
    *n = 0;
    while (bss_db_next(rows)) {
        const char *id = bss_db_col_text(rows, 0, NULL);
        if (!id)
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            care_hit *nh = bss_realloc(hits, nc * sizeof *nh);
            if (!nh) {
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
                break;
            }
            hits = nh;
            cap = nc;
        }
        hits[*n].id = bss_strdup(id);
        hits[*n].ms = bss_db_col_int64(rows, 1);
        if (!hits[*n].id) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
        (*n)++;
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading care references failed");
    *out = hits;
    return rc;
}

bss_err bss__store_care_refs_find(bss_db *db, const char *kind, const char *ref_id, int64_t limit,
                                  bss__care_ref_fn fn, void *arg, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(
        db, SQL_CARE_FIND,
        BSS_DB_ARGS(BSS_DB_STR(ref_id), BSS_DB_STR(kind), BSS_DB_I64(limit < 0 ? INT64_MAX : limit)), &rows,
        ei);
    if (rc != BSS_OK)
        return rc;
    /* Collect first: fn may query the same connection (one open result per connection). */
    care_hit *hits = NULL;
    size_t n = 0;
    rc = care_hits_read(rows, &hits, &n, ei);
    bss_db_rows_close(rows);
    for (size_t i = 0; i < n; i++) {
        if (rc == BSS_OK)
            rc = fn(hits[i].id, hits[i].ms, arg);
        bss_free(hits[i].id);
    }
    bss_free(hits);
    return rc;
}

bss_err bss__store_care_refs_rename(bss_db *db, const char *kind, const char *from_id, const char *to_id,
                                    bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_CARE_RENAME,
                       BSS_DB_ARGS(BSS_DB_STR(to_id), BSS_DB_STR(from_id), BSS_DB_STR(kind)), NULL, ei);
}

bss_err bss__store_ref_count(bss_db *db, const char *type, const char *id, int64_t *n)
{
    /* A static text per table keeps the statement cache keyed by pointer happy. */
    static const struct {
        const char *type, *table, *sql;
    } types[] = {
        {"Customer", "tmf629_customer", "SELECT COUNT(*) FROM tmf629_customer WHERE id = ?"},
        {"Individual", "tmf632_individual", "SELECT COUNT(*) FROM tmf632_individual WHERE id = ?"},
        {"Organization", "tmf632_organization", "SELECT COUNT(*) FROM tmf632_organization WHERE id = ?"},
        {"BillingAccount", "tmf666_billing_account",
         "SELECT COUNT(*) FROM tmf666_billing_account WHERE id = ?"},
        {"TroubleTicket", "tmf621_trouble_ticket", "SELECT COUNT(*) FROM tmf621_trouble_ticket WHERE id = ?"},
        {"PartyInteraction", "interaction", "SELECT COUNT(*) FROM interaction WHERE id = ?"},
        {"Product", "product", "SELECT COUNT(*) FROM product WHERE id = ?"},
    };
    *n = 0;
    for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(type, types[i].type) != 0 || !bss__store_table_exists(db, types[i].table))
            continue;
        return bss_db_query_int64(db, types[i].sql, BSS_DB_ARGS(BSS_DB_STR(id)), n, NULL);
    }
    return BSS_E_NOT_FOUND;
}

/* ---- customers and accounts naming a party (export and erasure) ---- */

#define SCAN_SQL(t) "SELECT id, doc FROM " t " WHERE doc LIKE ? ORDER BY id"
#define UPD_SQL(t)                                                                                           \
    "UPDATE " t " SET doc = ?, name = ?, updated_ms = ?, row_version = row_version + 1 WHERE id = ?"

static const struct {
    const char *table;
    const char *scan;
    const char *update;
} related_tables[BSS__REL_COUNT] = {
    {"tmf629_customer", SCAN_SQL("tmf629_customer"), UPD_SQL("tmf629_customer")},
    {"tmf666_billing_account", SCAN_SQL("tmf666_billing_account"), UPD_SQL("tmf666_billing_account")},
    {"tmf666_party_account", SCAN_SQL("tmf666_party_account"), UPD_SQL("tmf666_party_account")},
    {"tmf666_financial_account", SCAN_SQL("tmf666_financial_account"), UPD_SQL("tmf666_financial_account")},
    {"tmf666_settlement_account", SCAN_SQL("tmf666_settlement_account"),
     UPD_SQL("tmf666_settlement_account")},
};

static const char SQL_PRODUCT_STATES[] = "SELECT id, status FROM product WHERE account_id = ? ORDER BY id";

/* The documents of table t whose text holds "id" (ids are server-made UUIDs: no LIKE metacharacters). */
static bss_err related_scan_one(bss_db *db, bss__related t, const char *id, size_t k, bss__related_fn fn,
                                void *arg, bss_errinfo *ei)
{
    char pattern[160];
    snprintf(pattern, sizeof pattern, "%%\"%s\"%%", id);
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, related_tables[t].scan, BSS_DB_ARGS(BSS_DB_STRN(pattern, strlen(pattern))),
                              &rows, ei);
    while (!rc && bss_db_next(rows)) {
        size_t len = 0;
        const char *text = bss_db_col_text(rows, 1, &len);
        if (text)
            rc = fn(text, len, k, arg, ei);
    }
    if (!rc && rows && bss_db_rows_error(rows))
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "could not read %s", related_tables[t].table);
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__store_related_scan(bss_db *db, bss__related t, const char *const *ids, size_t nids,
                                bss__related_fn fn, void *arg, bss_errinfo *ei)
{
    bool exists = false;
    bss_err rc = bss_db_table_exists(db, related_tables[t].table, &exists, ei);
    for (size_t k = 0; !rc && exists && k < nids; k++)
        rc = related_scan_one(db, t, ids[k], k, fn, arg, ei);
    return rc;
}

bss_err bss__store_parties_naming(bss_db *db, const char *id, bss__party_fn fn, void *arg, bss_errinfo *ei)
{
    static const struct {
        const bss_doc_kind *kind;
        const char *sql;
    } parties[] = {
        {&bss_individual_kind, SCAN_SQL("tmf632_individual")},
        {&bss_organization_kind, SCAN_SQL("tmf632_organization")},
    };
    char pattern[160];
    snprintf(pattern, sizeof pattern, "%%\"%s\"%%", id);
    bss_err rc = BSS_OK;
    for (size_t t = 0; !rc && t < sizeof parties / sizeof parties[0]; t++) {
        /* collected first: fn may read, and a connection has one open result at a time */
        char (*ids)[BSS_ID_MAX + 1] = NULL;
        size_t n = 0, cap = 0;
        bss_db_rows *rows = NULL;
        rc = bss_db_query(db, parties[t].sql, BSS_DB_ARGS(BSS_DB_STRN(pattern, strlen(pattern))), &rows, ei);
        while (!rc && bss_db_next(rows)) {
            size_t len = 0;
            const char *pid = bss_db_col_text(rows, 0, &len);
            if (!pid || len > BSS_ID_MAX)
                continue;
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                void *g = bss_realloc(ids, ncap * sizeof *ids);
                if (!g) {
                    rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
                    break;
                }
                ids = g;
                cap = ncap;
            }
            memcpy(ids[n], pid, len);
            ids[n][len] = '\0';
            n++;
        }
        bss_db_rows_close(rows);
        for (size_t i = 0; !rc && i < n; i++)
            rc = fn(parties[t].kind, ids[i], arg, ei);
        bss_free(ids);
    }
    return rc;
}

bss_err bss__store_related_update(bss_db *db, bss__related t, const char *id, const char *doc_text,
                                  const char *name, int64_t now_ms, bss_errinfo *ei)
{
    bss_err rc = bss_db_exec(
        db, related_tables[t].update,
        BSS_DB_ARGS(BSS_DB_STR(doc_text), BSS_DB_STR(name), BSS_DB_I64(now_ms), BSS_DB_STR(id)), NULL, ei);
    if (rc == BSS_OK)
        bss_db_changed(db, related_tables[t].table, id, NULL);
    return rc;
}

bss_err bss__store_product_states(bss_db *db, const char *account_id, bss__product_state_fn fn, void *arg,
                                  bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_PRODUCT_STATES, BSS_DB_ARGS(BSS_DB_STR(account_id)), &rows, ei);
    while (!rc && bss_db_next(rows))
        rc = fn(bss_db_col_text(rows, 0, NULL), bss_db_col_text(rows, 1, NULL), arg, ei);
    bss_db_rows_close(rows);
    return rc;
}

/* ---- the search index (search_index) ---- */

#define SEARCH_COLS "term, kind, entity_id, customer_id, display"

static const char SQL_SEARCH_PUT[] = "INSERT INTO search_index (term, kind, entity_id, customer_id, field, "
                                     "display) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_SEARCH_DROP[] = "DELETE FROM search_index WHERE entity_id = ? AND kind = ?";
static const char SQL_SEARCH_EXACT[] =
    "SELECT " SEARCH_COLS " FROM search_index "
    "WHERE term = ? AND field <> 'name' ORDER BY kind, entity_id LIMIT 200";
static const char SQL_SEARCH_NAMES[] = "SELECT " SEARCH_COLS " FROM search_index "
                                       "WHERE term >= ? AND term < ? AND field = 'name' "
                                       "ORDER BY term, kind, entity_id LIMIT ? OFFSET ?";
static const char SQL_PARTY_CUSTOMER[] =
    "SELECT id FROM tmf629_customer WHERE engaged_party_id = ? ORDER BY id LIMIT 1";

bss_err bss__store_search_put(bss_db *db, const char *term, const char *field, const char *kind,
                              const char *id, const char *customer_id, const char *display, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_SEARCH_PUT,
                       BSS_DB_ARGS(BSS_DB_STR(term), BSS_DB_STR(kind), BSS_DB_STR(id),
                                   BSS_DB_STR(customer_id), BSS_DB_STR(field), BSS_DB_STR(display)),
                       NULL, ei);
}

bss_err bss__store_search_drop(bss_db *db, const char *kind, const char *id, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_SEARCH_DROP, BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(kind)), NULL, ei);
}

/* Runs one search query, handing rows to fn until *full; *nrows (may be NULL) = rows read. */
static bss_err search_rows(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs,
                           const bool *full, bss__search_row_fn fn, void *arg, int64_t *nrows,
                           bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    int64_t n = 0;
    bss_err rc = bss_db_query(db, sql, args, nargs, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (!*full && bss_db_next(rows)) {
        n++;
        bss__search_row row = {.term = bss_db_col_text(rows, 0, NULL),
                               .kind = bss_db_col_text(rows, 1, NULL),
                               .entity_id = bss_db_col_text(rows, 2, NULL),
                               .customer_id = bss_db_col_text(rows, 3, NULL),
                               .display = bss_db_col_text(rows, 4, NULL)};
        if ((rc = fn(&row, arg, ei)) != BSS_OK) {
            bss_db_rows_close(rows);
            return rc;
        }
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    if (nrows)
        *nrows = n;
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "search failed");
}

bss_err bss__store_search_exact(bss_db *db, const char *term, const bool *full, bss__search_row_fn fn,
                                void *arg, bss_errinfo *ei)
{
    return search_rows(db, SQL_SEARCH_EXACT, BSS_DB_ARGS(BSS_DB_STR(term)), full, fn, arg, NULL, ei);
}

bss_err bss__store_search_names(bss_db *db, const char *prefix, int64_t limit, int64_t offset,
                                const bool *full, bss__search_row_fn fn, void *arg, int64_t *nrows,
                                bss_errinfo *ei)
{
    /* A range on the byte-ordered term index: U+10FFFF sorts after every valid continuation. */
    char hi[BSS_SEARCH_TERM_MAX + 8];
    snprintf(hi, sizeof hi, "%s\xf4\x8f\xbf\xbf", prefix);
    return search_rows(
        db, SQL_SEARCH_NAMES,
        BSS_DB_ARGS(BSS_DB_STR(prefix), BSS_DB_STRN(hi, strlen(hi)), BSS_DB_I64(limit), BSS_DB_I64(offset)),
        full, fn, arg, nrows, ei);
}

bss_err bss__store_party_customer(bss_db *db, const char *party_id, json_t **customer_id, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *customer_id = NULL;
    bss_err rc = bss_db_query(db, SQL_PARTY_CUSTOMER, BSS_DB_ARGS(BSS_DB_STR(party_id)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows) && bss_db_col_text(rows, 0, NULL))
        *customer_id = json_string(bss_db_col_text(rows, 0, NULL));
    bss_db_rows_close(rows);
    return BSS_OK;
}

/* ---- the customer view's reads ---- */

static const char SQL_VIEW_ACCOUNTS[] =
    "SELECT doc FROM tmf666_billing_account WHERE customer_id = ? ORDER BY id LIMIT ?";
static const char SQL_VIEW_PRODUCTS[] = "SELECT doc FROM product WHERE account_id = ? ORDER BY id LIMIT ?";
static const char SQL_VIEW_OPEN_ORDERS[] =
    "SELECT doc FROM tmf622_product_order WHERE account_id = ? AND state NOT IN ('completed', 'partial', 'failed', "
    "'rejected', 'cancelled') ORDER BY id LIMIT ?";

static const char SQL_VIEW_BUCKETS[] =
    "SELECT id, usage_type, unit, source, value, initial_value, unlimited, msisdn, product_id, valid_to "
    "FROM bucket WHERE account_id = ? AND status = 'active' ORDER BY msisdn, source, priority, id LIMIT ?";

/* Runs sql (one text parameter and a limit, first column a JSON doc) and appends the parsed docs to arr. */
static bss_err docs_into(bss_db *db, const char *sql, const char *arg, int64_t limit, json_t *arr,
                         bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, sql, BSS_DB_ARGS(BSS_DB_STR(arg), BSS_DB_I64(limit)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        size_t len = 0;
        const char *text = bss_db_col_text(rows, 0, &len);
        json_t *doc = NULL;
        if (text && bss_json_parse(text, len, &doc, NULL) == BSS_OK)
            json_array_append_new(arr, doc);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__store_customer_accounts(bss_db *db, const char *customer_id, int64_t limit, json_t *arr,
                                     bss_errinfo *ei)
{
    return docs_into(db, SQL_VIEW_ACCOUNTS, customer_id, limit, arr, ei);
}

bss_err bss__store_account_products(bss_db *db, const char *account_id, int64_t limit, json_t *arr,
                                    bss_errinfo *ei)
{
    return docs_into(db, SQL_VIEW_PRODUCTS, account_id, limit, arr, ei);
}

bss_err bss__store_account_buckets(bss_db *db, const char *account_id, int64_t limit, json_t *arr, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_VIEW_BUCKETS, BSS_DB_ARGS(BSS_DB_STR(account_id), BSS_DB_I64(limit)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        const char *type = bss_db_col_text(rows, 1, NULL);
        bool money = type && strcmp(type, "monetary") == 0;
        json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "id", bss_db_col_text(rows, 0, NULL) ?: "", "usageType",
                              type ?: "", "units", bss_db_col_text(rows, 2, NULL) ?: "", "bucketSource",
                              bss_db_col_text(rows, 3, NULL) ?: "");
        if (!b)
            continue;
        int64_t v = bss_db_col_int64(rows, 4), init = bss_db_col_int64(rows, 5);
        if (bss_db_col_int64(rows, 6)) {
            json_object_set_new(b, "unlimited", json_true());
        } else {
            json_object_set_new(b, "remaining", money ? bss_money_to_json(v) : json_integer(v));
            if (init > 0)
                json_object_set_new(b, "initial", json_integer(init));
        }
        if (!bss_db_col_null(rows, 7))
            json_object_set_new(b, "msisdn", json_string(bss_db_col_text(rows, 7, NULL)));
        if (!bss_db_col_null(rows, 8))
            json_object_set_new(b, "productId", json_string(bss_db_col_text(rows, 8, NULL)));
        if (!bss_db_col_null(rows, 9)) {
            char t[32];
            bss_time_format(bss_db_col_int64(rows, 9), t);
            json_object_set_new(b, "validTo", json_string(t));
        }
        json_array_append_new(arr, b);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}

static const char SQL_VIEW_USAGE[] =
    "SELECT product_id, service, currency, events, charge, rated_units, last_ms, last_usage_id, period_start "
    "FROM usage_total WHERE account_id = ? AND period_start = (SELECT MAX(period_start) FROM usage_total WHERE "
    "account_id = ?) ORDER BY product_id, service, last_ms DESC LIMIT ?";

bss_err bss__store_account_usage(bss_db *db, const char *account_id, int64_t limit, json_t *arr, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_VIEW_USAGE,
                              BSS_DB_ARGS(BSS_DB_STR(account_id), BSS_DB_STR(account_id), BSS_DB_I64(limit)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    json_t *cur = NULL;
    int64_t charge = 0;
    while (bss_db_next(rows)) {
        const char *prod = bss_db_col_text(rows, 0, NULL) ?: "", *svc = bss_db_col_text(rows, 1, NULL) ?: "";
        if (!cur || strcmp(json_string_value(json_object_get(cur, "productId")), prod) != 0 ||
            strcmp(json_string_value(json_object_get(cur, "service")), svc) != 0) {
            if (cur)
                json_object_set_new(cur, "charge", bss_money_to_json(charge));
            char last[32], period[32];
            bss_time_format(bss_db_col_int64(rows, 6), last);
            bss_time_format(bss_db_col_int64(rows, 8), period);
            /* rows of a group come newest first: the first holds the line's last usage of the service */
            cur = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "productId", prod, "service", svc, "currency",
                            bss_db_col_text(rows, 2, NULL) ?: "", "billPeriodStart", period, "events", (json_int_t)0,
                            "ratedUnits", (json_int_t)0, "lastUsageAt", last, "lastUsageId",
                            bss_db_col_text(rows, 7, NULL) ?: "");
            if (!cur)
                break;
            json_array_append_new(arr, cur);
            charge = 0;
        }
        json_object_set_new(cur, "events",
                            json_integer(json_integer_value(json_object_get(cur, "events")) + bss_db_col_int64(rows, 3)));
        json_object_set_new(cur, "ratedUnits", json_integer(json_integer_value(json_object_get(cur, "ratedUnits")) +
                                                            bss_db_col_int64(rows, 5)));
        charge += bss_db_col_int64(rows, 4);
    }
    if (cur)
        json_object_set_new(cur, "charge", bss_money_to_json(charge));
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__store_account_open_orders(bss_db *db, const char *account_id, int64_t limit, json_t *arr,
                                       bss_errinfo *ei)
{
    return docs_into(db, SQL_VIEW_OPEN_ORDERS, account_id, limit, arr, ei);
}
