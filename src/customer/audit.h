/*
 * audit.h: the access audit of personal data (audit.c). Every read of a
 * resource marked personal_data (api/tmf.h: parties, customers, accounts,
 * interactions, tickets) by a staff key other than admin, and every
 * export, consent read and erasure, becomes one row of access_audit:
 * who (key id and name), what (action, resource kind and id), when
 * (at_ms, from the injected clock). Rows are written by the group-commit
 * writer without making the reader wait: a read is answered at once and
 * its audit row follows within one commit window.
 *
 * Which keys are audited: agent, billing and readonly (people and systems
 * reading customers' data in their daily work). Admin keys are not: they
 * are the operator's own keys (set-up, the conformance kits, automation),
 * and every request of any key is in the request log anyway.
 *
 * Admins read the audit with GET /admin/v1/audit?resourceId=...&keyId=...
 * (either, both or none; offset and limit as for TMF lists), newest first.
 */
#ifndef BSS_CUSTOMER_AUDIT_H
#define BSS_CUSTOMER_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/http.h"
#include "app.h"
#include "core/err.h"
#include "db/db.h"

#define BSS_AUDIT_ROLES (BSS_ROLE_AGENT | BSS_ROLE_BILLING | BSS_ROLE_READONLY)
#define BSS_AUDIT_MAX_IDS 1000 /* resource ids recorded for one list read (one page at most) */

/* Whether reads by this principal are recorded (NULL: no). */
bool bss_audit_wants(const bss_principal *who);

/*
 * Queues the audit rows of one access and returns at once: ids holds n
 * resource ids separated by '\n' (len bytes, need not be NUL-terminated),
 * one row each. Everything is copied. Failures are logged, never reported
 * to the reader. No-op when app has no writer or who is not audited.
 */
void bss_audit_submit(bss_app *app, const bss_principal *who, const char *action, const char *kind,
                      const char *ids, size_t len);

/* The rows about one resource (export): a new JSON array, oldest first. */
bss_err bss_audit_export(bss_db *db, const char *resource_id, json_t **out, bss_errinfo *ei);

#endif
