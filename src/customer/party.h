/*
 * party.h: TMF632 Party Management v4 (/tmf-api/party/v4): the individual
 * and organization resources (party.c), with the routes that hang off a
 * party: consent (consent.c), export and erasure (party_privacy.c), and
 * the access-audit reader (audit.c). bss_tmf632_register_routes adds all
 * of them; the lead calls it from src/api/routes.c.
 *
 * Stored in tmf632_individual / tmf632_organization (migration 0007) with
 * typed columns given_name, family_name, status / trading_name, name,
 * status, parent_id. Identification numbers are mirrored into
 * party_identification, whose UNIQUE (id_type, id_number, issuing_country)
 * makes a number registered to two parties a 409 EXISTS.
 */
#ifndef BSS_CUSTOMER_PARTY_H
#define BSS_CUSTOMER_PARTY_H

#include <jansson.h>

#include "api/router.h"
#include "api/tmf.h"
#include "core/err.h"
#include "db/db.h"

#define BSS_TMF632_BASE "/tmf-api/party/v4"
#define BSS_PARTY_ERASED "erased" /* the status of an erased party (a bss extension of the TMF states) */

extern const bss_tmf_resource bss_tmf632_individual;
extern const bss_tmf_resource bss_tmf632_organization;

/* The prepare hooks (exposed for tests and the fuzz targets). */
bss_err bss_tmf632_individual_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                      bss_errinfo *ei);
bss_err bss_tmf632_organization_prepare(const bss_tmf_ctx *ctx, json_t *doc, const json_t *old,
                                        bss_errinfo *ei);

/* Every TMF632 route plus consent, privacy and the access-audit reader. */
bss_err bss_tmf632_register_routes(bss_router *rt);

/* Reads a stored party document (res = one of the two descriptors). BSS_E_NOT_FOUND naming "id". */
bss_err bss_party_load(bss_db *db, const bss_tmf_resource *res, const char *id, json_t **out,
                       int64_t *row_version, bss_errinfo *ei);

/* Removes a party's identification rows (erasure). */
bss_err bss_party_identifications_drop(bss_db *db, const char *party_id, bss_errinfo *ei);

/* The routes of the other party files, registered by bss_tmf632_register_routes. */
bss_err bss_consent_register_routes(bss_router *rt);       /* consent.c */
bss_err bss_party_privacy_register_routes(bss_router *rt); /* party_privacy.c */
bss_err bss_audit_register_routes(bss_router *rt);         /* audit.c */

#endif
