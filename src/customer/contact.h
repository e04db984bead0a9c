/*
 * contact.h: validation of the contact details every customer-management
 * resource carries (parties in party.c, customers and accounts of TMF629 /
 * TMF666): E.164 phone numbers, e-mail addresses, ISO 3166-1 alpha-2
 * country codes, ISO 639-1 language codes, postal addresses and the TMF v4
 * contactMedium[] array that holds them. Pure functions: no store, no
 * clock. Each check returns BSS_OK or BSS_E_INVALID with ei naming the
 * offending field (the path given by the caller) and saying what shape is
 * expected.
 */
#ifndef BSS_CUSTOMER_CONTACT_H
#define BSS_CUSTOMER_CONTACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define BSS_EMAIL_MAX 254      /* RFC 5321 path limit */
#define BSS_EMAIL_LOCAL_MAX 64 /* RFC 5321 local-part limit */

/* Whether code is an assigned ISO 3166-1 alpha-2 code ("DE", "GB"; upper case only). */
bool bss_contact_country_known(const char *code);

/* Whether code is an ISO 639-1 language code ("en", "de"; lower case only). */
bool bss_contact_language_known(const char *code);

/*
 * E.164: "+" then 8..15 digits, nothing else; the leading digits must be an
 * assigned ITU country calling code (0 and spare codes such as +28, +42x,
 * +69x are refused).
 */
bss_err bss_contact_check_phone(const char *s, const char *field, bss_errinfo *ei);

/*
 * A practical RFC 5322 subset: at most 254 bytes, exactly one '@', a local
 * part of 1..64 printable ASCII bytes without spaces, quotes or brackets and
 * not starting or ending with '.', a domain of dot-separated labels
 * (letters, digits, '-', not at a label's ends, 1..63 bytes) with at least
 * two labels and an alphabetic top-level label of 2+ letters; no ".." anywhere.
 */
bss_err bss_contact_check_email(const char *s, const char *field, bss_errinfo *ei);

/* An ISO 3166-1 alpha-2 code (upper case), e.g. "FR". */
bss_err bss_contact_check_country(const char *s, const char *field, bss_errinfo *ei);

/* An ISO 639-1 code, optionally with a region: "en", "en-GB" (the region is checked as a country). */
bss_err bss_contact_check_language(const char *s, const char *field, bss_errinfo *ei);

/*
 * A postal address object (TMF v4 contact medium characteristic or
 * geographic address): city and country are required, country is an
 * ISO 3166-1 code; street1, street2, postCode, stateOrProvince are strings
 * when present (postCode: 1..16 letters, digits, spaces or '-'). prefix is
 * the path of the object ("contactMedium[2].characteristic").
 */
bss_err bss_contact_check_postal(const json_t *addr, const char *prefix, bss_errinfo *ei);

/*
 * A TMF v4 contactMedium[] array (member = its path, e.g. "contactMedium"):
 * each element an object with a mediumType string, an optional boolean
 * preferred, and a characteristic object. Whatever characteristic members
 * are present are checked (emailAddress, phoneNumber, faxNumber, country,
 * and the postal members); the mediumType asks for its own: "email" needs
 * emailAddress, "phone"/"mobile"/"telephone" need phoneNumber,
 * "postalAddress" needs a postal address (case-insensitive; other types
 * are accepted as they are). Absent or null: BSS_OK.
 */
bss_err bss_contact_check_media(const json_t *arr, const char *member, bss_errinfo *ei);

#endif
