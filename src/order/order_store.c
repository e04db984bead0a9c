/*
 * order_store.c: every SQL statement of the order module that is not a
 * document row (those go through doc/doc.h and db/resource.h): the
 * product_identity index of live products' MSISDN, ICCID and IMSI.
 * Written once for SQLite and PostgreSQL, each a static string literal.
 */
#include <stdio.h>
#include <string.h>

#include "order/order_int.h"

static const char SQL_ID_DELETE[] = "DELETE FROM product_identity WHERE product_id = ?";
static const char SQL_ID_INSERT[] = "INSERT INTO product_identity (value, kind, product_id) VALUES (?, ?, ?)";
static const char SQL_ID_OWNER[] = "SELECT product_id FROM product_identity WHERE kind = ? AND value = ?";

bss_err bss__store_identities_set(bss_db *db, const char *product_id, const bss__identity *ids, size_t n,
                                  bss_errinfo *ei)
{
    bss_err rc = bss_db_exec(db, SQL_ID_DELETE, BSS_DB_ARGS(BSS_DB_STRN(product_id, strlen(product_id))), NULL, ei);
    for (size_t i = 0; rc == BSS_OK && i < n; i++)
        rc = bss_db_exec(db, SQL_ID_INSERT,
                         BSS_DB_ARGS(BSS_DB_STRN(ids[i].value, strlen(ids[i].value)),
                                     BSS_DB_STRN(ids[i].kind, strlen(ids[i].kind)),
                                     BSS_DB_STRN(product_id, strlen(product_id))),
                         NULL, ei);
    return rc;
}

bss_err bss__store_identity_owner(bss_db *db, const char *kind, const char *value, const char *self, char *id,
                                  size_t cap, bool *found, bss_errinfo *ei)
{
    bss_db_rows *rows = NULL;
    *found = false;
    bss_err rc = bss_db_query(db, SQL_ID_OWNER,
                              BSS_DB_ARGS(BSS_DB_STRN(kind, strlen(kind)), BSS_DB_STRN(value, strlen(value))), &rows,
                              ei);
    if (rc != BSS_OK)
        return rc;
    while (bss_db_next(rows)) {
        const char *owner = bss_db_col_text(rows, 0, NULL);
        if (owner && (!self || strcmp(owner, self) != 0)) {
            snprintf(id, cap, "%s", owner);
            *found = true;
        }
    }
    rc = bss_db_rows_error(rows);
    bss_db_rows_close(rows);
    return rc == BSS_OK ? BSS_OK : bss_fail(ei, rc, NULL, "reading product identities failed");
}
