/*
 * sim.c: SIM cards (inventory.h): the batch file a SIM vendor delivers
 * (its header, each row's checks, duplicates in the file and against the
 * inventory, all-or-nothing unless partial), sealing of the secrets it
 * carries (Ki and OPc with --sim-keys store, the PIN/PUK codes), showing
 * the codes once, and reserving a card for an order or a shop.
 *
 * Secrets are sealed with the server's secrets key (core/seal.h) for an
 * owner naming the card and the secret ("sim:<iccid>:ki"), so a value
 * copied to another row does not open there. With --sim-keys hss the
 * operator's HSS holds Ki and OPc: a file's ki/opc columns are dropped
 * before anything is stored, and the report counts them.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/pan.h"
#include "core/time.h"
#include "inventory/inventory_int.h"

#define REJECTS_LISTED 1000

const char *const bss__sim_columns[BSS__SIMCOL_COUNT] = {
    "iccid", "imsi", "ki", "opc", "pin1", "puk1", "pin2", "puk2", "profile", "batch", "warehouse",
};

static bool all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool hex32(const char *s)
{
    if (strlen(s) != 32)
        return false;
    for (size_t i = 0; i < 32; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* A name (batch, warehouse): printable ASCII without quotes or control bytes, no card number. */
static bss_err check_name(const char *v, const char *field, bss_errinfo *ei)
{
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
            return bss_fail(ei, BSS_E_INVALID, field, "%s must be printable text without quotes", field);
    if (strlen(v) > BSS_INV_NAME_MAX)
        return bss_fail(ei, BSS_E_INVALID, field, "%s must be at most %d bytes", field, BSS_INV_NAME_MAX);
    return bss_pan_reject_text(v, strlen(v), field, ei);
}

bss_err bss__sim_check(const bss__sim_fields *f, bss_sim_keys keys, const char *batch, bss__sim_new *out,
                       bss_errinfo *ei)
{
    memset(out, 0, sizeof *out);
    for (int c = 0; c < BSS__SIMCOL_COUNT; c++)
        if (f->too_long[c])
            return bss_fail(ei, BSS_E_INVALID, bss__sim_columns[c], "%s is too long", bss__sim_columns[c]);
    bss_err rc = bss_iccid_normalize(f->v[BSS__SIMCOL_ICCID], strlen(f->v[BSS__SIMCOL_ICCID]), "iccid", out->iccid,
                                     ei);
    if (rc != BSS_OK)
        return rc;
    if (!all_digits(f->v[BSS__SIMCOL_IMSI], 6, BSS__IMSI_MAX))
        return bss_fail(ei, BSS_E_INVALID, "imsi", "imsi must be 6 to 15 digits (MCC, MNC and MSIN)");
    snprintf(out->imsi, sizeof out->imsi, "%.15s", f->v[BSS__SIMCOL_IMSI]);
    if (keys == BSS_SIM_KEYS_STORE) {
        if (!hex32(f->v[BSS__SIMCOL_KI]))
            return bss_fail(ei, BSS_E_INVALID, "ki", "ki must be 32 hexadecimal digits");
        if (!hex32(f->v[BSS__SIMCOL_OPC]))
            return bss_fail(ei, BSS_E_INVALID, "opc", "opc must be 32 hexadecimal digits");
    }
    static const struct {
        int col;
        size_t min, max;
    } codes[] = {{BSS__SIMCOL_PIN1, 4, 8}, {BSS__SIMCOL_PUK1, 8, 8}, {BSS__SIMCOL_PIN2, 4, 8}, {BSS__SIMCOL_PUK2, 8, 8}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *c = f->v[codes[i].col];
        if (c[0] && !all_digits(c, codes[i].min, codes[i].max)) {
            const char *name = bss__sim_columns[codes[i].col];
            if (codes[i].min == codes[i].max)
                return bss_fail(ei, BSS_E_INVALID, name, "%s must be %zu digits", name, codes[i].max);
            return bss_fail(ei, BSS_E_INVALID, name, "%s must be %zu to %zu digits", name, codes[i].min,
                            codes[i].max);
        }
    }
    const char *profile = f->v[BSS__SIMCOL_PROFILE];
    if (!profile[0] || strcasecmp(profile, "physical") == 0)
        snprintf(out->profile, sizeof out->profile, "physical");
    else if (strcasecmp(profile, "esim") == 0)
        snprintf(out->profile, sizeof out->profile, "esim");
    else
        return bss_fail(ei, BSS_E_INVALID, "profile", "profile must be physical or esim");
    const char *b = f->v[BSS__SIMCOL_BATCH][0] ? f->v[BSS__SIMCOL_BATCH] : batch;
    if ((rc = check_name(b, "batch", ei)) != BSS_OK || (rc = check_name(f->v[BSS__SIMCOL_WAREHOUSE], "warehouse", ei)) != BSS_OK)
        return rc;
    snprintf(out->batch, sizeof out->batch, "%.64s", b);
    snprintf(out->warehouse, sizeof out->warehouse, "%.64s", f->v[BSS__SIMCOL_WAREHOUSE]);
    return BSS_OK;
}

/* ---- a set of strings seen in the file (open addressing) ---- */

typedef struct seen {
    char **slot;
    int64_t *line;
    size_t cap;
} seen;

static bool seen_init(seen *s, size_t want)
{
    s->cap = 64;
    while (s->cap < want * 2)
        s->cap *= 2;
    s->slot = bss_calloc(s->cap, sizeof *s->slot);
    s->line = bss_calloc(s->cap, sizeof *s->line);
    return s->slot && s->line;
}

static void seen_free(seen *s)
{
    for (size_t i = 0; s->slot && i < s->cap; i++)
        bss_free(s->slot[i]);
    bss_free(s->slot);
    bss_free(s->line);
}

/* The line k was first seen on (0: new, then remembered at line); -1 on OOM. */
static int64_t seen_add(seen *s, const char *k, int64_t line)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = k; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slot[i]) {
            if (!(s->slot[i] = bss_strdup(k)))
                return -1;
            s->line[i] = line;
            return 0;
        }
        if (strcmp(s->slot[i], k) == 0)
            return s->line[i];
    }
}

/* ---- the import ---- */

typedef struct import_run {
    json_t *rejects;
    int64_t nrejected;
    bss__sim_new *rows;
    int64_t *row_lines;
    size_t nrows, cap;
} import_run;

static bss_err reject(import_run *run, int64_t line, const char *iccid, const char *field, const char *reason,
                      bss_errinfo *ei)
{
    run->nrejected++;
    if (json_array_size(run->rejects) >= REJECTS_LISTED)
        return BSS_OK;
    json_t *r = json_pack("{s:I, s:s}", "line", (json_int_t)line, "reason", reason);
    if (r && iccid && iccid[0])
        json_object_set_new(r, "iccid", json_string(iccid));
    if (r && field && field[0])
        json_object_set_new(r, "field", json_string(field));
    if (!r || json_array_append_new(run->rejects, r) != 0)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    return BSS_OK;
}

static void free_row(bss__sim_new *r)
{
    bss_free(r->ki);
    bss_free(r->opc);
    bss_free(r->codes);
}

/* The header: each column's index in BSS__SIMCOL_* order (-1 when absent). */
static bss_err read_header(bss_csv *csv, bss_sim_keys keys, int map[BSS_CSV_MAX_FIELDS], bool have[BSS__SIMCOL_COUNT],
                           bss_errinfo *ei)
{
    int64_t line = 0;
    bss_err rc = bss_csv_next(csv, &line, ei);
    if (rc == BSS_E_DONE)
        return bss_fail(ei, BSS_E_INVALID, "line 1", "line 1: the file is empty; a header row is expected (%s)",
                        "iccid,imsi,ki,opc,pin1,puk1,pin2,puk2,profile,batch,warehouse");
    if (rc != BSS_OK)
        return rc;
    char lf[24];
    snprintf(lf, sizeof lf, "line %lld", (long long)line);
    for (size_t i = 0; i < csv->nfields; i++) {
        const char *name = csv->field[i];
        size_t n = csv->len[i];
        while (n && (*name == ' ' || *name == '\t'))
            name++, n--;
        while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
            n--;
        int col = -1;
        for (int c = 0; c < BSS__SIMCOL_COUNT; c++)
            if (strlen(bss__sim_columns[c]) == n && strncasecmp(name, bss__sim_columns[c], n) == 0)
                col = c;
        if (col < 0)
            return bss_fail(ei, BSS_E_INVALID, lf, "%s: unknown column \"%.*s\" (the columns are %s)", lf,
                            (int)(n > 40 ? 40 : n), name, "iccid, imsi, ki, opc, pin1, puk1, pin2, puk2, profile, batch, warehouse");
        if (have[col])
            return bss_fail(ei, BSS_E_INVALID, lf, "%s: column %s appears twice", lf, bss__sim_columns[col]);
        have[col] = true;
        map[i] = col;
    }
    const int required[] = {BSS__SIMCOL_ICCID, BSS__SIMCOL_IMSI, BSS__SIMCOL_KI, BSS__SIMCOL_OPC};
    size_t nreq = keys == BSS_SIM_KEYS_STORE ? 4 : 2;
    for (size_t i = 0; i < nreq; i++)
        if (!have[required[i]])
            return bss_fail(ei, BSS_E_INVALID, lf, "%s: missing column %s%s", lf, bss__sim_columns[required[i]],
                            required[i] >= BSS__SIMCOL_KI ? " (bss keeps Ki and OPc: --sim-keys store)" : "");
    return BSS_OK;
}

static bss_err seal_row(const bss_inv_config *cfg, const bss__sim_fields *f, bss__sim_new *r, bss_errinfo *ei)
{
    char ad[64];
    if (cfg->keys == BSS_SIM_KEYS_STORE) {
        snprintf(ad, sizeof ad, "sim:%s:ki", r->iccid);
        r->ki = bss_seal(cfg->seal, ad, f->v[BSS__SIMCOL_KI], 32);
        snprintf(ad, sizeof ad, "sim:%s:opc", r->iccid);
        r->opc = bss_seal(cfg->seal, ad, f->v[BSS__SIMCOL_OPC], 32);
        if (!r->ki || !r->opc)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "sealing a SIM's keys failed");
    }
    /* the codes as one JSON object: digits only (checked), so printed as is */
    char text[160];
    size_t n = 0;
    for (int c = BSS__SIMCOL_PIN1; c <= BSS__SIMCOL_PUK2; c++)
        if (f->v[c][0])
            n += (size_t)snprintf(text + n, sizeof text - n, "%s\"%s\":\"%.8s\"", n ? "," : "{",
                                  bss__sim_columns[c], f->v[c]);
    if (n > 0) {
        n += (size_t)snprintf(text + n, sizeof text - n, "}");
        snprintf(ad, sizeof ad, "sim:%s:codes", r->iccid);
        r->codes = bss_seal(cfg->seal, ad, text, n);
        explicit_bzero(text, sizeof text);
        if (!r->codes)
            return bss_fail(ei, BSS_E_NOMEM, NULL, "sealing a SIM's codes failed");
    }
    return BSS_OK;
}

/* Reads the rows after the header into run (checked, duplicates found, sealed). */
static bss_err read_rows(bss_db *db, const bss_inv_config *cfg, bss_csv *csv, const int *map, size_t ncols,
                         const char *batch, import_run *run, int64_t *nread, int64_t *keys_dropped, bss_errinfo *ei)
{
    seen iccids = {0}, imsis = {0};
    bss_err rc = BSS_OK;
    size_t want = csv->end > csv->p ? (size_t)(csv->end - csv->p) / 40 + 16 : 16;
    if (want > BSS_INV_SIM_FILE_MAX_ROWS + 16)
        want = BSS_INV_SIM_FILE_MAX_ROWS + 16;
    if (!seen_init(&iccids, want) || !seen_init(&imsis, want)) {
        rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        goto out;
    }
    bss__sim_fields f;
    for (;;) {
        int64_t line = 0;
        bss_errinfo rei;
        bss_errinfo_clear(&rei);
        bss_err r = bss_csv_next(csv, &line, &rei);
        if (r == BSS_E_DONE)
            break;
        if (r != BSS_OK) {
            if ((rc = reject(run, line ? line : csv->line, NULL, NULL, rei.message, ei)) != BSS_OK)
                goto out;
            continue;
        }
        if (++*nread > BSS_INV_SIM_FILE_MAX_ROWS) {
            rc = bss_fail(ei, BSS_E_TOO_BIG, "file", "a SIM batch file holds at most %d rows; split it",
                          BSS_INV_SIM_FILE_MAX_ROWS);
            goto out;
        }
        if (csv->nfields != ncols) {
            char msg[96];
            snprintf(msg, sizeof msg, "the row has %zu fields, the header %zu", csv->nfields, ncols);
            if ((rc = reject(run, line, NULL, NULL, msg, ei)) != BSS_OK)
                goto out;
            continue;
        }
        memset(&f, 0, sizeof f);
        for (size_t i = 0; i < ncols; i++) {
            int c = map[i];
            size_t n = csv->len[i];
            const char *v = csv->field[i];
            while (n && (*v == ' ' || *v == '\t'))
                v++, n--;
            while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            if (n >= sizeof f.v[c])
                f.too_long[c] = true;
            else
                memcpy(f.v[c], v, n);
        }
        if (cfg->keys == BSS_SIM_KEYS_HSS && (f.v[BSS__SIMCOL_KI][0] || f.v[BSS__SIMCOL_OPC][0]))
            ++*keys_dropped;
        bss__sim_new row;
        bss_errinfo cei;
        bss_errinfo_clear(&cei);
        r = bss__sim_check(&f, cfg->keys, batch, &row, &cei);
        const char *iccid = r == BSS_OK ? row.iccid : NULL;
        char why[sizeof cei.message + 64];
        if (r == BSS_OK) {
            int64_t first = seen_add(&iccids, row.iccid, line);
            int64_t ifirst = first == 0 ? seen_add(&imsis, row.imsi, line) : 0;
            if (first < 0 || ifirst < 0) {
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
                goto out;
            }
            bool found = false, taken = false;
            bss__sim_row old;
            if (first > 0) {
                snprintf(why, sizeof why, "ICCID %s appears again (first on line %lld)", row.iccid, (long long)first);
                r = BSS_E_EXISTS, snprintf(cei.field, sizeof cei.field, "iccid");
            } else if (ifirst > 0) {
                snprintf(why, sizeof why, "IMSI %s appears again (first on line %lld)", row.imsi, (long long)ifirst);
                r = BSS_E_EXISTS, snprintf(cei.field, sizeof cei.field, "imsi");
            } else if (db && (rc = bss__inv_sim_get(db, 0, row.iccid, &old, &found, ei)) != BSS_OK) {
                goto out;
            } else if (found) {
                snprintf(why, sizeof why, "ICCID %s is already in the inventory (batch %s)", row.iccid, old.batch);
                r = BSS_E_EXISTS, snprintf(cei.field, sizeof cei.field, "iccid");
            } else if (db && (rc = bss__inv_sim_imsi_taken(db, row.imsi, &taken, ei)) != BSS_OK) {
                goto out;
            } else if (taken) {
                snprintf(why, sizeof why, "IMSI %s is already in the inventory", row.imsi);
                r = BSS_E_EXISTS, snprintf(cei.field, sizeof cei.field, "imsi");
            }
        } else {
            snprintf(why, sizeof why, "%s", cei.message);
        }
        if (r != BSS_OK) {
            explicit_bzero(&f, sizeof f);
            if ((rc = reject(run, line, iccid, cei.field, why, ei)) != BSS_OK)
                goto out;
            continue;
        }
        rc = seal_row(cfg, &f, &row, ei);
        explicit_bzero(&f, sizeof f);
        if (rc != BSS_OK) {
            free_row(&row);
            goto out;
        }
        if (run->nrows == run->cap) {
            size_t cap = run->cap ? run->cap * 2 : 256;
            bss__sim_new *nr = bss_realloc(run->rows, cap * sizeof *nr);
            int64_t *nl = nr ? bss_realloc(run->row_lines, cap * sizeof *nl) : NULL;
            if (nr)
                run->rows = nr;
            if (!nr || !nl) {
                free_row(&row);
                rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
                goto out;
            }
            run->row_lines = nl;
            run->cap = cap;
        }
        run->row_lines[run->nrows] = line;
        run->rows[run->nrows++] = row;
    }
out:
    seen_free(&iccids);
    seen_free(&imsis);
    return rc;
}

bss_err bss_inv_sim_import(bss_db *db, const bss_inv_config *cfg, const bss_inv_actor *by,
                           const bss_inv_import *in, json_t **report, bss_errinfo *ei)
{
    *report = NULL;
    char batch[BSS_INV_NAME_MAX + 1];
    if (in->batch && in->batch[0]) {
        bss_err rc = check_name(in->batch, "batch", ei);
        if (rc != BSS_OK)
            return rc;
        snprintf(batch, sizeof batch, "%s", in->batch);
    } else {
        char day[40];
        bss_time_format(by->now_ms, day);
        snprintf(batch, sizeof batch, "import-%.10s", day);
    }
    bss_csv *csv = bss_malloc(sizeof *csv);
    import_run run = {.rejects = json_array()};
    if (!csv || !run.rejects) {
        bss_free(csv);
        json_decref(run.rejects);
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    }
    bss_csv_init(csv, in->data, in->len);
    int map[BSS_CSV_MAX_FIELDS];
    bool have[BSS__SIMCOL_COUNT] = {0};
    int64_t nread = 0, dropped = 0;
    bss_err rc = read_header(csv, cfg->keys, map, have, ei);
    size_t ncols = csv->nfields;
    if (rc == BSS_OK)
        rc = read_rows(db, cfg, csv, map, ncols, batch, &run, &nread, &dropped, ei);
    explicit_bzero(csv, sizeof *csv);
    bss_free(csv);
    bool store = rc == BSS_OK && !in->dry_run && (run.nrejected == 0 || in->partial);
    for (size_t i = 0; store && rc == BSS_OK && i < run.nrows; i++) {
        rc = bss__inv_sim_insert(db, &run.rows[i], by->now_ms, ei);
        if (rc == BSS_OK)
            rc = bss__inv_history_add(db, by, run.rows[i].iccid, "imported", NULL, "available", batch, NULL, ei);
    }
    for (size_t i = 0; i < run.nrows; i++)
        free_row(&run.rows[i]);
    bss_free(run.rows);
    bss_free(run.row_lines);
    if (rc != BSS_OK) {
        json_decref(run.rejects);
        return rc;
    }
    int64_t imported = (run.nrejected == 0 || in->partial) ? (int64_t)run.nrows : 0;
    *report = json_pack("{s:I, s:I, s:I, s:I, s:b, s:b, s:s, s:o}", "read", (json_int_t)nread, "imported",
                        (json_int_t)imported, "rejected", (json_int_t)run.nrejected, "keysDropped",
                        (json_int_t)dropped, "dryRun", in->dry_run, "partial", in->partial, "batch", batch,
                        "rejects", run.rejects);
    if (!*report)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    if (run.nrejected > REJECTS_LISTED)
        json_object_set_new(*report, "rejectsTruncated", json_true());
    if (run.nrejected > 0 && !in->partial) {
        json_t *first = json_array_get(run.rejects, 0);
        return bss_fail(ei, BSS_E_UNPROCESSABLE, "line", "%lld of %lld rows rejected, nothing imported (line %lld: %s); "
                        "fix them or import the rest with partial",
                        (long long)run.nrejected, (long long)nread,
                        (long long)json_integer_value(json_object_get(first, "line")),
                        json_string_value(json_object_get(first, "reason")));
    }
    return BSS_OK;
}

/* ---- the codes, shown once ---- */

bss_err bss_inv_sim_codes(bss_db *db, const bss_inv_config *cfg, const bss_inv_actor *by, const char *iccid,
                          const char *reason, json_t **out, bss_errinfo *ei)
{
    *out = NULL;
    if (!reason || !reason[0])
        return bss_fail(ei, BSS_E_INVALID, "reason", "reason is required: say why the codes are shown");
    if (strlen(reason) > BSS_INV_REASON_MAX)
        return bss_fail(ei, BSS_E_INVALID, "reason", "reason must be at most %d bytes", BSS_INV_REASON_MAX);
    bss_err rc = bss_pan_reject_text(reason, strlen(reason), "reason", ei);
    if (rc != BSS_OK)
        return rc;
    bss__sim_row s;
    bool found = false;
    if ((rc = bss__inv_sim_get(db, by->now_ms, iccid, &s, &found, ei)) != BSS_OK)
        return rc;
    if (!found)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "no SIM with ICCID %.24s", iccid);
    if (!s.has_codes)
        return bss_fail(ei, BSS_E_NOT_FOUND, "codes", "SIM %s holds no PIN/PUK codes (its batch file had none)",
                        s.iccid);
    if (s.codes_shown_ms) {
        char at[40];
        bss_time_format(s.codes_shown_ms, at);
        return bss_fail(ei, BSS_E_CONFLICT, "codes",
                        "the codes of SIM %s were shown at %s to %s; they are shown once (a SIM swap gives "
                        "new ones)",
                        s.iccid, at, s.codes_shown_by[0] ? s.codes_shown_by : "the server");
    }
    char *sealed = NULL, *plain = NULL;
    size_t plen = 0;
    char ad[64];
    snprintf(ad, sizeof ad, "sim:%s:codes", s.iccid);
    if ((rc = bss__inv_sim_codes_get(db, s.iccid, &sealed, ei)) != BSS_OK)
        return rc;
    rc = sealed ? bss_unseal(cfg->seal, ad, sealed, &plain, &plen, ei)
                : bss_fail(ei, BSS_E_NOT_FOUND, "codes", "SIM %s holds no PIN/PUK codes", s.iccid);
    bss_free(sealed);
    if (rc != BSS_OK)
        return rc;
    json_t *codes = NULL;
    json_error_t jerr;
    codes = json_loadb(plain, plen, 0, &jerr);
    explicit_bzero(plain, plen);
    bss_free(plain);
    if (!json_is_object(codes)) {
        json_decref(codes);
        return bss_fail(ei, BSS_E_INTERNAL, "codes", "the stored codes of SIM %s do not read back", s.iccid);
    }
    char by_name[BSS_INV_NAME_MAX * 2 + 2];
    snprintf(by_name, sizeof by_name, "%s", by->who ? by->who->name : "");
    bool changed = false;
    rc = bss__inv_sim_codes_mark(db, s.iccid, by->now_ms, by_name, &changed, ei);
    if (rc == BSS_OK && !changed)
        rc = bss_fail(ei, BSS_E_CONFLICT, "codes", "the codes of SIM %s were just shown to someone else", s.iccid);
    if (rc == BSS_OK)
        rc = bss__inv_history_add(db, by, s.iccid, "codesShown", NULL, NULL, reason, NULL, ei);
    if (rc != BSS_OK) {
        json_decref(codes);
        return rc;
    }
    json_object_set_new(codes, "iccid", json_string(s.iccid));
    bss_json_set_time(codes, "shownDate", by->now_ms);
    *out = codes;
    return BSS_OK;
}

/* ---- reservations ---- */

bss_err bss__inv_check_holder(const bss_inv_pick *pick, bss_errinfo *ei)
{
    if (!pick->holder || !pick->holder[0] || strlen(pick->holder) > BSS_INV_NAME_MAX)
        return bss_fail(ei, BSS_E_INVALID, "holder", "a reservation needs a holder of 1 to %d bytes",
                        BSS_INV_NAME_MAX);
    if (pick->hold_ms < 0 || pick->hold_ms > (int64_t)BSS_INV_HOLD_MAX_MIN * 60000)
        return bss_fail(ei, BSS_E_INVALID, "minutes", "a reservation lasts 1 to %d minutes", BSS_INV_HOLD_MAX_MIN);
    return BSS_OK;
}

bss_err bss_inv_sim_reserve(bss_db *db, const bss_inv_actor *by, const bss_inv_pick *pick, json_t **out,
                            bss_errinfo *ei)
{
    *out = NULL;
    bss_err rc = bss__inv_check_holder(pick, ei);
    if (rc != BSS_OK)
        return rc;
    const char *profile = pick->profile && pick->profile[0] ? pick->profile : "physical";
    if (strcmp(profile, "physical") != 0 && strcmp(profile, "esim") != 0)
        return bss_fail(ei, BSS_E_INVALID, "profile", "profile must be physical or esim");
    char iccid[BSS_ICCID_MAX + 1];
    if (pick->iccid) {
        if ((rc = bss_iccid_normalize(pick->iccid, strlen(pick->iccid), "iccid", iccid, ei)) != BSS_OK)
            return rc;
        bss__sim_row s;
        bool found = false;
        if ((rc = bss__inv_sim_get(db, by->now_ms, iccid, &s, &found, ei)) != BSS_OK)
            return rc;
        if (!found)
            return bss_fail(ei, BSS_E_NOT_FOUND, "iccid", "SIM %s is not in the inventory", iccid);
        if (strcmp(s.eff, "available") != 0)
            return bss_fail(ei, BSS_E_CONFLICT, "iccid", "SIM %s is %s, not available", iccid, s.eff);
    } else {
        bool found = false;
        if ((rc = bss__inv_sim_first_free(db, by->now_ms, profile, iccid, &found, ei)) != BSS_OK)
            return rc;
        if (!found)
            return bss_fail(ei, BSS_E_CONFLICT, "profile", "no %s SIM is available", profile);
    }
    int64_t until = pick->hold_ms ? by->now_ms + pick->hold_ms : 0;
    bss__inv_move m = {.id = iccid, .from_eff = "available", .to = "reserved", .holder = pick->holder,
                       .held_until = until};
    bool changed = false;
    if ((rc = bss__inv_sim_move(db, by->now_ms, &m, &changed, ei)) != BSS_OK)
        return rc;
    if (!changed)
        return bss_fail(ei, BSS_E_CONFLICT, "iccid", "SIM %s was just taken by another order", iccid);
    if ((rc = bss__inv_history_add(db, by, iccid, "reserved", "available", "reserved", NULL, pick->holder, ei)) !=
        BSS_OK)
        return rc;
    return bss_inv_get(db, by->now_ms, pick->base_url, iccid, out, ei);
}
