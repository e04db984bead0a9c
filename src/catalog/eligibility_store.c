/*
 * eligibility_store.c: the eligibility check of catalog.h against the
 * store. Loads what the pure check (eligibility.c) needs on the caller's
 * connection, reads only: the offering asked about, the productOffering
 * documents of the offerings the account holds, and the Active
 * promotions; then lets bss_eligibility_check decide.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "core/json.h"
#include "core/mem.h"

static bss_err collect_promotion(const bss_res_row *row, void *arg)
{
    json_t *doc = NULL;
    if (bss_json_parse(row->doc, row->doc_len, &doc, NULL) == BSS_OK && json_array_append_new(arg, doc))
        return BSS_E_NOMEM;
    return BSS_OK;
}

static bss_err load_promotions(bss_db *db, json_t *out, bss_errinfo *ei)
{
    bss_res_table *t = bss_promotion_kind.table;
    bss_err rc = bss_resource_table_prepare(t);
    if (rc)
        return bss_fail(ei, rc, NULL, "bad table descriptor %s", t->name);
    bss_res_filter f = {
        .column = bss_resource_column_of(t, "lifecycleStatus"), .op = BSS_RES_EQ, .nvalues = 1};
    f.values[0] = BSS_DB_STR("Active");
    return bss_resource_list(db, t, &f, 1, 0, -1, NULL, collect_promotion, out, ei);
}

bss_err bss_catalog_check_eligibility(bss_db *db, const char *offering_id, const bss_elig_request *req,
                                      bss_elig_result *out, json_t **keep, bss_errinfo *ei)
{
    *keep = NULL;
    if (req->nheld > BSS_ELIG_MAX_HELD)
        return bss_fail(ei, BSS_E_INVALID, "accountOfferings", "accountOfferings holds at most %d entries",
                        BSS_ELIG_MAX_HELD);
    json_t *offering = NULL, *promotions = json_array();
    json_t *held_docs[BSS_ELIG_MAX_HELD] = {0};
    bss_elig_held held[BSS_ELIG_MAX_HELD];
    bss_elig_request q = *req;
    bss_err rc = promotions ? bss_doc_load(db, &bss_offering_kind, offering_id, &offering, NULL, ei)
                            : bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < req->nheld; i++) {
        held[i] = req->held[i];
        if (!held[i].offering) { /* an offering that is not stored counts as unknown, not as an error */
            (void)bss_doc_load(db, &bss_offering_kind, held[i].offering_id, &held_docs[i], NULL, NULL);
            held[i].offering = held_docs[i];
        }
    }
    q.held = req->nheld ? held : NULL;
    if (q.new_customer < 0) /* unknown: new when recent, else when the account holds nothing */
        q.new_customer = q.has_customer_since
                             ? q.customer_since_ms > q.now_ms - BSS_ELIG_NEW_CUSTOMER_DAYS * INT64_C(86400000)
                             : q.nheld == 0;
    if (!rc)
        rc = load_promotions(db, promotions, ei);
    if (!rc)
        rc = bss_eligibility_check(offering, promotions, &q, out, ei);
    for (size_t i = 0; i < req->nheld; i++)
        json_decref(held_docs[i]);
    json_decref(offering);
    if (rc)
        json_decref(promotions);
    else
        *keep = promotions;
    return rc;
}
