/*
 * hub.c: TMF688-style hub subscriptions, the store side (events.h): one
 * row of hub_subscription per subscription of one API. A subscription
 * receives the events committed after it (outbox.c fans each new event out
 * to the subscriptions existing at that moment); removing one drops its
 * pending deliveries. The routes ({base}/hub) are src/api/hub.c's.
 */
#include <string.h>

#include "events/events.h"
#include "events/events_int.h"

json_t *bss_hub_subscription_json(const char *id, const char *callback, const char *query)
{
    return json_pack("{s:s, s:s, s:s}", "id", id, "callback", callback, "query", query);
}

bss_err bss_hub_subscribe(bss_db *db, const char *api, const char *id, const char *callback,
                          const char *query, int64_t now_ms, bss_errinfo *ei)
{
    return bss_db_exec(
        db, "INSERT INTO hub_subscription (id, api, callback, query, created_ms) VALUES (?, ?, ?, ?, ?)",
        BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(api), BSS_DB_STR(callback), BSS_DB_STR(query),
                    BSS_DB_I64(now_ms)),
        NULL, ei);
}

bss_err bss_hub_get(bss_db *db, const char *api, const char *id, json_t **out, bss_errinfo *ei)
{
    bss_db_rows *rows;
    *out = NULL;
    bss_err rc = bss_db_query(db, "SELECT callback, query FROM hub_subscription WHERE id = ? AND api = ?",
                              BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(api)), &rows, ei);
    if (rc != BSS_OK)
        return rc;
    if (bss_db_next(rows)) {
        const char *callback = bss_db_col_text(rows, 0, NULL);
        const char *query = bss_db_col_text(rows, 1, NULL);
        *out = bss_hub_subscription_json(id, callback ? callback : "", query ? query : "");
        if (!*out)
            rc = bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    } else {
        rc = bss_db_rows_error(rows);
        if (rc == BSS_OK)
            rc = bss_fail(ei, BSS_E_NOT_FOUND, "id", "hub subscription %s not found", id);
    }
    bss_db_rows_close(rows);
    return rc;
}

bss_err bss_hub_unsubscribe(bss_db *db, const char *api, const char *id, bss_errinfo *ei)
{
    int64_t changes = 0;
    bss_err rc = bss_db_exec(db, "DELETE FROM hub_subscription WHERE id = ? AND api = ?",
                             BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(api)), &changes, ei);
    if (rc != BSS_OK)
        return rc;
    if (changes == 0)
        return bss_fail(ei, BSS_E_NOT_FOUND, "id", "hub subscription %s not found", id);
    return bss_db_exec(db, "DELETE FROM event_delivery WHERE subscription_id = ?",
                       BSS_DB_ARGS(BSS_DB_STR(id)), NULL, ei);
}
