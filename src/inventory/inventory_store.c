/*
 * inventory_store.c: every SQL statement of the inventory module (tables
 * of migration 0013), behind the bss__inv_ functions of inventory_int.h.
 * Written once for SQLite and PostgreSQL (db/db.h: `?` placeholders,
 * BIGINT and TEXT, CAST on parameters whose type PostgreSQL cannot infer),
 * each a static string literal so every connection prepares it once.
 *
 * Effective states are computed here, in SQL, the one place: a reservation
 * whose held_until has passed and a quarantine whose quarantine_until has
 * passed read as "available" in every get, list, count and pick, and a
 * move's condition is on the effective state, so nothing has to sweep
 * expired holds before a number can be sold again.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "inventory/inventory_int.h"

/* Each takes the now in ms twice (MS_EFF) or once (SIM_EFF). */
#define SIM_EFF "CASE WHEN state = 'reserved' AND held_until IS NOT NULL AND held_until <= ? THEN 'available' ELSE state END"
#define MS_EFF                                                                                               \
    "CASE WHEN state = 'reserved' AND held_until IS NOT NULL AND held_until <= ? THEN 'available' "            \
    "WHEN state = 'quarantined' AND quarantine_until IS NOT NULL AND quarantine_until <= ? THEN 'available' "  \
    "ELSE state END"

/* A text parameter, NULL as SQL NULL. */
static bss_db_val S(const char *s)
{
    return s ? BSS_DB_STRN(s, strlen(s)) : BSS_DB_NIL;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- SIMs ---- */

#define SIM_COLS                                                                                             \
    "iccid, imsi, profile, state, state_reason, batch, warehouse, holder, held_until, product_id, "           \
    "codes_shown_ms, codes_shown_by, created_ms, updated_ms, row_version, "                                   \
    "CASE WHEN ki IS NULL THEN 0 ELSE 1 END, CASE WHEN codes IS NULL THEN 0 ELSE 1 END, " SIM_EFF

static const char SQL_SIM_GET[] = "SELECT " SIM_COLS " FROM inv_sim WHERE iccid = ?";
static const char SQL_SIM_IMSI[] = "SELECT COUNT(*) FROM inv_sim WHERE imsi = ?";
static const char SQL_SIM_INSERT[] =
    "INSERT INTO inv_sim (iccid, imsi, profile, state, batch, warehouse, ki, opc, codes, created_ms, "
    "updated_ms, row_version) VALUES (?, ?, ?, 'available', ?, ?, ?, ?, ?, ?, ?, 1)";
static const char SQL_SIM_CODES[] = "SELECT codes FROM inv_sim WHERE iccid = ?";
static const char SQL_SIM_CODES_MARK[] =
    "UPDATE inv_sim SET codes_shown_ms = ?, codes_shown_by = ?, updated_ms = ?, row_version = row_version + 1 "
    "WHERE iccid = ? AND codes_shown_ms IS NULL";
static const char SQL_SIM_FIRST_FREE[] =
    "SELECT iccid FROM inv_sim WHERE profile = ? AND (state = 'available' OR (state = 'reserved' AND "
    "held_until IS NOT NULL AND held_until <= ?)) ORDER BY iccid LIMIT 1";
static const char SQL_SIM_MOVE[] =
    "UPDATE inv_sim SET state = ?, holder = ?, held_until = ?, product_id = COALESCE(CAST(? AS TEXT), "
    "product_id), state_reason = ?, updated_ms = ?, row_version = row_version + 1 WHERE iccid = ? AND " SIM_EFF
    " = ?";
static const char SQL_SIM_HELD[] = "SELECT iccid FROM inv_sim WHERE holder = ? AND state = 'reserved' ORDER BY iccid";
static const char SQL_SIM_LIST[] =
    "SELECT * FROM (SELECT " SIM_COLS " AS eff FROM inv_sim) s WHERE (CAST(? AS TEXT) IS NULL OR eff = ?) "
    "AND (CAST(? AS TEXT) IS NULL OR batch = ?) AND (CAST(? AS TEXT) IS NULL OR profile = ?) "
    "ORDER BY iccid LIMIT ? OFFSET ?";
static const char SQL_SIM_COUNT[] =
    "SELECT COUNT(*) FROM (SELECT batch, profile, " SIM_EFF " AS eff FROM inv_sim) s WHERE "
    "(CAST(? AS TEXT) IS NULL OR eff = ?) AND (CAST(? AS TEXT) IS NULL OR batch = ?) AND "
    "(CAST(? AS TEXT) IS NULL OR profile = ?)";
static const char SQL_SIM_BY_STATE[] =
    "SELECT eff, COUNT(*) FROM (SELECT " SIM_EFF " AS eff FROM inv_sim) s GROUP BY eff ORDER BY eff";
static const char SQL_SIM_BY_PROFILE[] = "SELECT profile, COUNT(*) FROM inv_sim GROUP BY profile ORDER BY profile";

static void sim_row(bss_db_rows *rows, bss__sim_row *s)
{
    memset(s, 0, sizeof *s);
    copy(s->iccid, sizeof s->iccid, bss_db_col_text(rows, 0, NULL));
    copy(s->imsi, sizeof s->imsi, bss_db_col_text(rows, 1, NULL));
    copy(s->profile, sizeof s->profile, bss_db_col_text(rows, 2, NULL));
    copy(s->state, sizeof s->state, bss_db_col_text(rows, 3, NULL));
    copy(s->state_reason, sizeof s->state_reason, bss_db_col_text(rows, 4, NULL));
    copy(s->batch, sizeof s->batch, bss_db_col_text(rows, 5, NULL));
    copy(s->warehouse, sizeof s->warehouse, bss_db_col_text(rows, 6, NULL));
    copy(s->holder, sizeof s->holder, bss_db_col_text(rows, 7, NULL));
    s->held_until = bss_db_col_int64(rows, 8);
    copy(s->product_id, sizeof s->product_id, bss_db_col_text(rows, 9, NULL));
    s->codes_shown_ms = bss_db_col_int64(rows, 10);
    copy(s->codes_shown_by, sizeof s->codes_shown_by, bss_db_col_text(rows, 11, NULL));
    s->created_ms = bss_db_col_int64(rows, 12);
    s->updated_ms = bss_db_col_int64(rows, 13);
    s->row_version = bss_db_col_int64(rows, 14);
    s->has_keys = bss_db_col_int64(rows, 15) != 0;
    s->has_codes = bss_db_col_int64(rows, 16) != 0;
    copy(s->eff, sizeof s->eff, bss_db_col_text(rows, 17, NULL));
}

bss_err bss__inv_sim_get(bss_db *db, int64_t now_ms, const char *iccid, bss__sim_row *out, bool *found,
                         bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *found = false;
    bss_err rc = bss_db_query(db, SQL_SIM_GET, BSS_DB_ARGS(BSS_DB_I64(now_ms), S(iccid)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        sim_row(rows, out);
        *found = true;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading a SIM failed");
}

bss_err bss__inv_sim_imsi_taken(bss_db *db, const char *imsi, bool *taken, bss_errinfo *ei)
{
    int64_t n = 0;
    bss_err rc = bss_db_query_int64(db, SQL_SIM_IMSI, BSS_DB_ARGS(S(imsi)), &n, ei);
    *taken = n > 0;
    return rc;
}

bss_err bss__inv_sim_insert(bss_db *db, const bss__sim_new *s, int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_SIM_INSERT,
                       BSS_DB_ARGS(S(s->iccid), S(s->imsi), S(s->profile),
                                   S(s->batch), S(s->warehouse[0] ? s->warehouse : NULL),
                                   S(s->ki), S(s->opc), S(s->codes),
                                   BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)),
                       NULL, ei);
}

bss_err bss__inv_sim_codes_get(bss_db *db, const char *iccid, char **sealed, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *sealed = NULL;
    bss_err rc = bss_db_query(db, SQL_SIM_CODES, BSS_DB_ARGS(S(iccid)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        const char *t = bss_db_col_text(rows, 0, NULL);
        if (t && !(*sealed = bss_strdup(t)))
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading a SIM failed");
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__inv_sim_codes_mark(bss_db *db, const char *iccid, int64_t now_ms, const char *by, bool *changed,
                                bss_errinfo *ei)
{
    int64_t n = 0;
    bss_err rc = bss_db_exec(db, SQL_SIM_CODES_MARK,
                             BSS_DB_ARGS(BSS_DB_I64(now_ms), S(by), BSS_DB_I64(now_ms), S(iccid)),
                             &n, ei);
    *changed = n == 1;
    return rc;
}

static bss_err first_text(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, char *out,
                          size_t cap, bool *found, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *found = false;
    bss_err rc = bss_db_query(db, sql, args, nargs, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        copy(out, cap, bss_db_col_text(rows, 0, NULL));
        *found = true;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading the inventory failed");
}

bss_err bss__inv_sim_first_free(bss_db *db, int64_t now_ms, const char *profile, char *out, bool *found,
                                bss_errinfo *ei)
{
    return first_text(db, SQL_SIM_FIRST_FREE, BSS_DB_ARGS(S(profile), BSS_DB_I64(now_ms)), out,
                      BSS_ICCID_MAX + 1, found, ei);
}

static bss_db_val opt_i64(int64_t v)
{
    return v ? BSS_DB_I64(v) : BSS_DB_NIL;
}

bss_err bss__inv_sim_move(bss_db *db, int64_t now_ms, const bss__inv_move *m, bool *changed, bss_errinfo *ei)
{
    int64_t n = 0;
    bss_err rc = bss_db_exec(db, SQL_SIM_MOVE,
                             BSS_DB_ARGS(S(m->to), S(m->holder), opt_i64(m->held_until),
                                         S(m->product_id), S(m->reason), BSS_DB_I64(now_ms),
                                         S(m->id), BSS_DB_I64(now_ms), S(m->from_eff)),
                             &n, ei);
    *changed = n == 1;
    return rc;
}

typedef struct list_args {
    const char *status, *a, *b;
} list_args;

bss_err bss__inv_sim_list(bss_db *db, int64_t now_ms, const bss_inv_filter *f, int64_t offset, int64_t limit,
                          bss__sim_each_fn each, void *arg, int64_t *total, bss_errinfo *ei)
{
    bss_err rc = bss_db_query_int64(db, SQL_SIM_COUNT,
                                    BSS_DB_ARGS(BSS_DB_I64(now_ms), S(f->status), S(f->status),
                                                S(f->batch), S(f->batch),
                                                S(f->profile), S(f->profile)),
                                    total, ei);
    if (rc != BSS_OK || limit <= 0)
        return rc;
    bss_db_rows *rows = NULL;
    rc = bss_db_query(db, SQL_SIM_LIST,
                      BSS_DB_ARGS(BSS_DB_I64(now_ms), S(f->status), S(f->status),
                                  S(f->batch), S(f->batch), S(f->profile),
                                  S(f->profile), BSS_DB_I64(limit), BSS_DB_I64(offset)),
                      &rows, ei);
    if (rc != BSS_OK)
        return rc;
    bss__sim_row s;
    while (bss_db_next(rows)) {
        sim_row(rows, &s);
        each(&s, arg);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "listing SIMs failed");
}

static bss_err counts(bss_db *db, const char *sql, const bss_db_val *args, size_t nargs, json_t *obj,
                      int64_t *total, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, sql, args, nargs, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        const char *k = bss_db_col_text(rows, 0, NULL);
        int64_t n = bss_db_col_int64(rows, 1);
        json_object_set_new(obj, k ? k : "", json_integer(n));
        if (total)
            *total += n;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "counting the inventory failed");
}

bss_err bss__inv_sim_counts(bss_db *db, int64_t now_ms, json_t *by_state, json_t *by_profile, int64_t *total,
                            bss_errinfo *ei)
{
    *total = 0;
    bss_err rc = counts(db, SQL_SIM_BY_STATE, BSS_DB_ARGS(BSS_DB_I64(now_ms)), by_state, total, ei);
    return rc != BSS_OK ? rc : counts(db, SQL_SIM_BY_PROFILE, BSS_DB_NOARGS, by_profile, NULL, ei);
}

/* ---- numbers ---- */

#define MS_COLS                                                                                              \
    "number, range_id, prefix, category, state, state_reason, holder, held_until, quarantine_until, "         \
    "product_id, ported_in, donor, created_ms, updated_ms, row_version, " MS_EFF

static const char SQL_MS_GET[] = "SELECT " MS_COLS " FROM inv_msisdn WHERE number = ?";
static const char SQL_MS_OVERLAP_N[] =
    "SELECT COUNT(*) FROM inv_msisdn WHERE number >= ? AND number <= ? AND length(number) = ?";
static const char SQL_MS_OVERLAP_LOW[] =
    "SELECT MIN(number) FROM inv_msisdn WHERE number >= ? AND number <= ? AND length(number) = ?";
static const char SQL_RANGE_INSERT[] =
    "INSERT INTO inv_msisdn_range (id, first_number, last_number, prefix, category, size, created_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
/* Every number of a range in one statement: a recursive count from the first to the last. */
static const char SQL_RANGE_NUMBERS[] =
    "INSERT INTO inv_msisdn (number, range_id, prefix, category, state, ported_in, created_ms, updated_ms, "
    "row_version) WITH RECURSIVE n(x) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT x + 1 FROM n WHERE x < "
    "CAST(? AS BIGINT)) SELECT CAST(x AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), 'available', 0, "
    "CAST(? AS BIGINT), CAST(? AS BIGINT), 1 "
    "FROM n";
static const char SQL_RANGE_LIST[] =
    "SELECT r.id, r.first_number, r.last_number, r.prefix, r.category, r.size, r.created_ms, "
    "(SELECT COUNT(*) FROM inv_msisdn m WHERE m.range_id = r.id AND (m.state = 'available' OR (m.state = "
    "'reserved' AND m.held_until IS NOT NULL AND m.held_until <= ?) OR (m.state = 'quarantined' AND "
    "m.quarantine_until IS NOT NULL AND m.quarantine_until <= ?))) FROM inv_msisdn_range r ORDER BY r.created_ms, r.id";
static const char SQL_CAT_GET[] = "SELECT COUNT(*) FROM inv_category WHERE name = ?";
static const char SQL_CAT_PUT[] =
    "INSERT INTO inv_category (name, price_id, description, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET price_id = excluded.price_id, description = excluded.description, "
    "updated_ms = excluded.updated_ms";
static const char SQL_CAT_LIST[] =
    "SELECT c.name, c.price_id, c.description, c.created_ms, c.updated_ms, (SELECT COUNT(*) FROM inv_msisdn m "
    "WHERE m.category = c.name) FROM inv_category c ORDER BY c.name";
static const char SQL_MS_FIRST_FREE[] =
    "SELECT number FROM inv_msisdn WHERE category = ? AND number >= ? AND number < ? AND (state = 'available' "
    "OR (state = 'reserved' AND held_until IS NOT NULL AND held_until <= ?) OR (state = 'quarantined' AND "
    "quarantine_until IS NOT NULL AND quarantine_until <= ?)) ORDER BY number LIMIT 1";
static const char SQL_MS_MOVE[] =
    "UPDATE inv_msisdn SET state = ?, holder = ?, held_until = ?, quarantine_until = ?, product_id = "
    "COALESCE(CAST(? AS TEXT), product_id), state_reason = ?, updated_ms = ?, row_version = row_version + 1 "
    "WHERE number = ? AND " MS_EFF " = ?";
static const char SQL_MS_HELD[] =
    "SELECT number FROM inv_msisdn WHERE holder = ? AND state = 'reserved' ORDER BY number";
static const char SQL_MS_LIST[] =
    "SELECT * FROM (SELECT " MS_COLS " AS eff FROM inv_msisdn) s WHERE (CAST(? AS TEXT) IS NULL OR eff = ?) "
    "AND (CAST(? AS TEXT) IS NULL OR category = ?) AND number >= ? AND number < ? "
    "ORDER BY number LIMIT ? OFFSET ?";
static const char SQL_MS_COUNT[] =
    "SELECT COUNT(*) FROM (SELECT number, category, " MS_EFF " AS eff FROM inv_msisdn) s WHERE "
    "(CAST(? AS TEXT) IS NULL OR eff = ?) AND (CAST(? AS TEXT) IS NULL OR category = ?) AND number >= ? AND "
    "number < ?";
static const char SQL_MS_BY_STATE[] =
    "SELECT eff, COUNT(*) FROM (SELECT " MS_EFF " AS eff FROM inv_msisdn) s GROUP BY eff ORDER BY eff";
static const char SQL_MS_BY_CATEGORY[] =
    "SELECT category, COUNT(*) FROM inv_msisdn GROUP BY category ORDER BY category";
static const char SQL_MS_BY_PREFIX[] =
    "SELECT prefix, COUNT(*), SUM(CASE WHEN eff = 'available' THEN 1 ELSE 0 END) FROM (SELECT prefix, " MS_EFF
    " AS eff FROM inv_msisdn) s GROUP BY prefix ORDER BY prefix";

static void ms_row(bss_db_rows *rows, bss__msisdn_row *m)
{
    memset(m, 0, sizeof *m);
    copy(m->number, sizeof m->number, bss_db_col_text(rows, 0, NULL));
    copy(m->range_id, sizeof m->range_id, bss_db_col_text(rows, 1, NULL));
    copy(m->prefix, sizeof m->prefix, bss_db_col_text(rows, 2, NULL));
    copy(m->category, sizeof m->category, bss_db_col_text(rows, 3, NULL));
    copy(m->state, sizeof m->state, bss_db_col_text(rows, 4, NULL));
    copy(m->state_reason, sizeof m->state_reason, bss_db_col_text(rows, 5, NULL));
    copy(m->holder, sizeof m->holder, bss_db_col_text(rows, 6, NULL));
    m->held_until = bss_db_col_int64(rows, 7);
    m->quarantine_until = bss_db_col_int64(rows, 8);
    copy(m->product_id, sizeof m->product_id, bss_db_col_text(rows, 9, NULL));
    m->ported_in = bss_db_col_int64(rows, 10) != 0;
    copy(m->donor, sizeof m->donor, bss_db_col_text(rows, 11, NULL));
    m->created_ms = bss_db_col_int64(rows, 12);
    m->updated_ms = bss_db_col_int64(rows, 13);
    m->row_version = bss_db_col_int64(rows, 14);
    copy(m->eff, sizeof m->eff, bss_db_col_text(rows, 15, NULL));
}

bss_err bss__inv_msisdn_get(bss_db *db, int64_t now_ms, const char *number, bss__msisdn_row *out, bool *found,
                            bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *found = false;
    bss_err rc = bss_db_query(db, SQL_MS_GET,
                              BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(now_ms), S(number)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        ms_row(rows, out);
        *found = true;
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading a number failed");
}

bss_err bss__inv_msisdn_overlap(bss_db *db, const char *first, const char *last, int64_t *n, char *lowest,
                                size_t cap, bss_errinfo *ei)
{
    int64_t len = (int64_t)strlen(first);
    bss_err rc = bss_db_query_int64(db, SQL_MS_OVERLAP_N,
                                    BSS_DB_ARGS(S(first), S(last), BSS_DB_I64(len)), n, ei);
    lowest[0] = '\0';
    if (rc != BSS_OK || *n == 0)
        return rc;
    bool found;
    return first_text(db, SQL_MS_OVERLAP_LOW, BSS_DB_ARGS(S(first), S(last), BSS_DB_I64(len)),
                      lowest, cap, &found, ei);
}

bss_err bss__inv_range_insert(bss_db *db, const char *id, const char *first, const char *last, const char *prefix,
                              const char *category, int64_t size, int64_t now_ms, bss_errinfo *ei)
{
    bss_err rc = bss_db_exec(db, SQL_RANGE_INSERT,
                             BSS_DB_ARGS(S(id), S(first), S(last), S(prefix),
                                         S(category), BSS_DB_I64(size), BSS_DB_I64(now_ms)),
                             NULL, ei);
    if (rc != BSS_OK)
        return rc;
    int64_t n = 0;
    rc = bss_db_exec(db, SQL_RANGE_NUMBERS,
                     BSS_DB_ARGS(S(first), S(last), S(id), S(prefix),
                                 S(category), BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)),
                     &n, ei);
    if (rc == BSS_OK && n != size)
        return bss_fail(ei, BSS_E_INTERNAL, NULL, "a range of %lld numbers stored %lld", (long long)size,
                        (long long)n);
    return rc;
}

bss_err bss__inv_range_list(bss_db *db, int64_t now_ms, json_t *out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_RANGE_LIST, BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        char from[20], to[20];
        snprintf(from, sizeof from, "+%s", bss_db_col_text(rows, 1, NULL));
        snprintf(to, sizeof to, "+%s", bss_db_col_text(rows, 2, NULL));
        json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id", bss_db_col_text(rows, 0, NULL), "from",
                              from, "to", to, "prefix", bss_db_col_text(rows, 3, NULL), "category",
                              bss_db_col_text(rows, 4, NULL), "size", (json_int_t)bss_db_col_int64(rows, 5),
                              "available", (json_int_t)bss_db_col_int64(rows, 7));
        if (!r || json_array_append_new(out, r) != 0) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "listing ranges failed");
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__inv_category_get(bss_db *db, const char *name, bool *found, bss_errinfo *ei)
{
    int64_t n = 0;
    bss_err rc = bss_db_query_int64(db, SQL_CAT_GET, BSS_DB_ARGS(S(name)), &n, ei);
    *found = n > 0;
    return rc;
}

bss_err bss__inv_category_put(bss_db *db, const char *name, const char *price_id, const char *description,
                              int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_CAT_PUT,
                       BSS_DB_ARGS(S(name), S(price_id), S(description),
                                   BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)),
                       NULL, ei);
}

bss_err bss__inv_category_list(bss_db *db, json_t *out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_CAT_LIST, BSS_DB_NOARGS, &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        json_t *c = json_pack("{s:s, s:I}", "name", bss_db_col_text(rows, 0, NULL), "numbers",
                              (json_int_t)bss_db_col_int64(rows, 5));
        if (c && !bss_db_col_null(rows, 1))
            json_object_set_new(c, "priceId", json_string(bss_db_col_text(rows, 1, NULL)));
        if (c && !bss_db_col_null(rows, 2))
            json_object_set_new(c, "description", json_string(bss_db_col_text(rows, 2, NULL)));
        if (!c || json_array_append_new(out, c) != 0) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "listing categories failed");
    bss_db_rows_close(rows);
    return rc;
}

static const char SQL_MS_PORTED[] =
    "INSERT INTO inv_msisdn (number, range_id, prefix, category, state, holder, ported_in, donor, created_ms, "
    "updated_ms, row_version) VALUES (?, NULL, 'ported', 'standard', 'reserved', ?, 1, ?, ?, ?, 1)";

bss_err bss__inv_msisdn_insert_ported(bss_db *db, const char *number, const char *donor, const char *holder,
                                      int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(db, SQL_MS_PORTED,
                       BSS_DB_ARGS(S(number), S(holder), S(donor), BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)), NULL, ei);
}

static const char SQL_CAT_PRICE[] = "SELECT price_id FROM inv_category WHERE name = ?";
static const char SQL_MS_REHOLD[] =
    "UPDATE inv_msisdn SET holder = ?, held_until = NULL, updated_ms = ?, row_version = row_version + 1 WHERE "
    "holder = ? AND state = 'reserved' AND (held_until IS NULL OR held_until > ?)";
static const char SQL_SIM_REHOLD[] =
    "UPDATE inv_sim SET holder = ?, held_until = NULL, updated_ms = ?, row_version = row_version + 1 WHERE "
    "holder = ? AND state = 'reserved' AND (held_until IS NULL OR held_until > ?)";

bss_err bss__inv_category_price(bss_db *db, const char *name, char *price_id, size_t cap, bss_errinfo *ei)
{
    bool found = false;
    price_id[0] = '\0';
    return first_text(db, SQL_CAT_PRICE, BSS_DB_ARGS(S(name)), price_id, cap, &found, ei);
}

bss_err bss__inv_rehold(bss_db *db, int64_t now_ms, const char *from, const char *to, int64_t *numbers, int64_t *sims,
                        bss_errinfo *ei)
{
    bss_err rc = bss_db_exec(db, SQL_MS_REHOLD, BSS_DB_ARGS(S(to), BSS_DB_I64(now_ms), S(from), BSS_DB_I64(now_ms)),
                             numbers, ei);
    return rc != BSS_OK ? rc
                        : bss_db_exec(db, SQL_SIM_REHOLD,
                                      BSS_DB_ARGS(S(to), BSS_DB_I64(now_ms), S(from), BSS_DB_I64(now_ms)), sims, ei);
}

/* lo..hi bounds every number starting with prefix (digits; ':' sorts right after '9'). */
static void prefix_bounds(const char *prefix, char *lo, char *hi, size_t cap)
{
    snprintf(lo, cap, "%s", prefix ? prefix : "");
    snprintf(hi, cap, "%s:", prefix ? prefix : "");
}

bss_err bss__inv_msisdn_first_free(bss_db *db, int64_t now_ms, const char *category, const char *prefix,
                                   char *out, bool *found, bss_errinfo *ei)
{
    char lo[24], hi[24];
    prefix_bounds(prefix, lo, hi, sizeof lo);
    return first_text(db, SQL_MS_FIRST_FREE,
                      BSS_DB_ARGS(S(category), S(lo), S(hi), BSS_DB_I64(now_ms),
                                  BSS_DB_I64(now_ms)),
                      out, BSS__MSISDN_MAX + 1, found, ei);
}

bss_err bss__inv_msisdn_move(bss_db *db, int64_t now_ms, const bss__inv_move *m, bool *changed, bss_errinfo *ei)
{
    int64_t n = 0;
    bss_err rc = bss_db_exec(db, SQL_MS_MOVE,
                             BSS_DB_ARGS(S(m->to), S(m->holder), opt_i64(m->held_until),
                                         opt_i64(m->quarantine_until), S(m->product_id),
                                         S(m->reason), BSS_DB_I64(now_ms), S(m->id),
                                         BSS_DB_I64(now_ms), BSS_DB_I64(now_ms), S(m->from_eff)),
                             &n, ei);
    *changed = n == 1;
    return rc;
}

static bss_err ids(bss_db *db, const char *sql, const char *holder, json_t *out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, sql, BSS_DB_ARGS(S(holder)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows))
        if (json_array_append_new(out, json_string(bss_db_col_text(rows, 0, NULL))) != 0) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading holds failed");
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss__inv_held(bss_db *db, const char *holder, json_t *sims, json_t *numbers, bss_errinfo *ei)
{
    bss_err rc = ids(db, SQL_SIM_HELD, holder, sims, ei);
    return rc != BSS_OK ? rc : ids(db, SQL_MS_HELD, holder, numbers, ei);
}

bss_err bss__inv_msisdn_list(bss_db *db, int64_t now_ms, const bss_inv_filter *f, int64_t offset,
                             int64_t limit, bss__msisdn_each_fn each, void *arg, int64_t *total, bss_errinfo *ei)
{
    char lo[24], hi[24];
    prefix_bounds(f->prefix, lo, hi, sizeof lo);
    bss_err rc = bss_db_query_int64(db, SQL_MS_COUNT,
                                    BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(now_ms), S(f->status),
                                                S(f->status), S(f->category),
                                                S(f->category), S(lo), S(hi)),
                                    total, ei);
    if (rc != BSS_OK || limit <= 0)
        return rc;
    bss_db_rows *rows = NULL;
    rc = bss_db_query(db, SQL_MS_LIST,
                      BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(now_ms), S(f->status),
                                  S(f->status), S(f->category), S(f->category),
                                  S(lo), S(hi), BSS_DB_I64(limit), BSS_DB_I64(offset)),
                      &rows, ei);
    if (rc != BSS_OK)
        return rc;
    bss__msisdn_row m;
    while (bss_db_next(rows)) {
        ms_row(rows, &m);
        each(&m, arg);
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "listing numbers failed");
}

bss_err bss__inv_msisdn_counts(bss_db *db, int64_t now_ms, json_t *by_state, json_t *by_category,
                               json_t *prefixes, int64_t *total, bss_errinfo *ei)
{
    *total = 0;
    bss_err rc = counts(db, SQL_MS_BY_STATE, BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)), by_state, total,
                        ei);
    if (rc == BSS_OK)
        rc = counts(db, SQL_MS_BY_CATEGORY, BSS_DB_NOARGS, by_category, NULL, ei);
    if (rc != BSS_OK)
        return rc;
    bss_db_rows *rows = NULL;
    rc = bss_db_query(db, SQL_MS_BY_PREFIX, BSS_DB_ARGS(BSS_DB_I64(now_ms), BSS_DB_I64(now_ms)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        json_t *p = json_pack("{s:s, s:I, s:I}", "prefix", bss_db_col_text(rows, 0, NULL), "total",
                              (json_int_t)bss_db_col_int64(rows, 1), "available",
                              (json_int_t)bss_db_col_int64(rows, 2));
        if (!p || json_array_append_new(prefixes, p) != 0) {
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "counting numbers failed");
    bss_db_rows_close(rows);
    return rc;
}

/* ---- history ---- */

static const char SQL_HIST_SEQ[] = "SELECT COALESCE(MAX(seq), 0) + 1 FROM inv_history WHERE resource_id = ?";
static const char SQL_HIST_INSERT[] =
    "INSERT INTO inv_history (resource_id, seq, at_ms, action, from_state, to_state, reason, holder, key_id, "
    "key_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_HIST_LIST[] =
    "SELECT seq, at_ms, action, from_state, to_state, reason, holder, key_id, key_name FROM inv_history "
    "WHERE resource_id = ? ORDER BY seq DESC LIMIT ?";

bss_err bss__inv_history_add(bss_db *db, const bss_inv_actor *by, const char *id, const char *action,
                             const char *from, const char *to, const char *reason, const char *holder,
                             bss_errinfo *ei)
{
    int64_t seq = 0;
    bss_err rc = bss_db_query_int64(db, SQL_HIST_SEQ, BSS_DB_ARGS(S(id)), &seq, ei);
    if (rc != BSS_OK)
        return rc;
    return bss_db_exec(db, SQL_HIST_INSERT,
                       BSS_DB_ARGS(S(id), BSS_DB_I64(seq), BSS_DB_I64(by->now_ms), S(action),
                                   S(from), S(to), S(reason), S(holder),
                                   S(by->who ? by->who->key_id : ""),
                                   S(by->who ? by->who->name : "")),
                       NULL, ei);
}

static void set_opt(json_t *o, const char *k, bss_db_rows *rows, int col)
{
    if (!bss_db_col_null(rows, col))
        json_object_set_new(o, k, json_string(bss_db_col_text(rows, col, NULL)));
}

bss_err bss__inv_history_list(bss_db *db, const char *id, int64_t limit, json_t *out, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    bss_err rc = bss_db_query(db, SQL_HIST_LIST, BSS_DB_ARGS(S(id), BSS_DB_I64(limit)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        json_t *e = json_pack("{s:I, s:s}", "seq", (json_int_t)bss_db_col_int64(rows, 0), "action",
                              bss_db_col_text(rows, 2, NULL));
        if (!e || bss_json_set_time(e, "at", bss_db_col_int64(rows, 1)) != 0) {
            json_decref(e);
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
            break;
        }
        set_opt(e, "from", rows, 3);
        set_opt(e, "to", rows, 4);
        set_opt(e, "reason", rows, 5);
        set_opt(e, "holder", rows, 6);
        const char *kid = bss_db_col_text(rows, 7, NULL);
        if (kid && kid[0])
            json_object_set_new(e, "by", json_pack("{s:s, s:s}", "id", kid, "name", bss_db_col_text(rows, 8, NULL)));
        json_array_append_new(out, e);
    }
    if (rc == BSS_OK && bss_db_rows_error(rows) != BSS_OK)
        rc = bss_fail(ei, bss_db_rows_error(rows), NULL, "reading the history failed");
    bss_db_rows_close(rows);
    return rc;
}
