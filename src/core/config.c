/*
 * config.c: every setting of bss as one row of `options` below (name,
 * environment variable, default text, help, parser, offset into bss_config),
 * so defaults, the config file, the environment, flags and `bss help` all
 * read the same table. Sources apply weakest first: default < file < env <
 * flags. The file is --config FILE (or BSS_CONFIG) if given, else
 * <data-dir>/bss.conf when it exists, with data-dir resolved from flag, env
 * or default first (a data-dir set inside that file still applies to
 * everything else). db defaults to "sqlite:<data-dir>/bss.db" when no source
 * sets it.
 *
 * File syntax: "name = value" lines; blank lines and lines starting with '#'
 * are skipped ('#' later in a line is part of the value, as passwords may
 * hold it); a value may be wrapped in double quotes to keep spaces.
 * Flags: "--name value" or "--name=value"; booleans take no value as
 * "--demo" (or "--demo=false"); "--" ends the flags. Booleans in file and env
 * accept true/false, 1/0, yes/no, on/off.
 *
 * Errors are BSS_E_CONFIG with ei->field the option name and the source in
 * the message: "listen: expected HOST:PORT, got 'x' (--listen)",
 * "unknown option 'foo' (/etc/bss.conf:3)".
 *
 * bss_config_load moves the non-flag arguments, in order, to the front of
 * argv (as getopt does) and returns them through rest_argc/rest_argv.
 */
#include "core/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/netallow.h"
#include "core/parse.h"
#include "core/time.h"

typedef enum opt_type {
    T_STR,    /* free text, any length that fits */
    T_INT,    /* int in [min, max] */
    T_I64,    /* int64 in [min, max] */
    T_BOOL,   /* true/false */
    T_LISTEN, /* HOST:PORT or [V6]:PORT into listen_host + listen_port */
    T_LEVEL,  /* debug|info|warn|error */
    T_SIMKEYS, /* store|hss */
    T_ADAPTER, /* simulator|http */
    T_DB,     /* sqlite:PATH | postgres://... | postgresql://... */
    T_URL,    /* "" or http(s)://... */
    T_TIME,   /* "" or RFC 3339 */
    T_CONFIG, /* --config: the file itself, not stored */
    T_ALLOW,  /* a core/netallow.h list, checked here, parsed again where it is used */
} opt_type;

typedef struct opt {
    const char *name;
    const char *env;
    const char *def; /* default as text, parsed by the same code as any value */
    const char *arg; /* placeholder in help */
    const char *help;
    opt_type type;
    size_t offset;    /* into bss_config */
    size_t size;      /* of the field (T_STR) */
    int64_t min, max; /* T_INT, T_I64 */
} opt;

#define F(field) offsetof(bss_config, field), sizeof(((bss_config *)0)->field)
#define NOF 0, 0

static const opt options[] = {
    {"config", "BSS_CONFIG", "", "FILE", "config file (default: <data-dir>/bss.conf if present)", T_CONFIG,
     NOF, 0, 0},
    {"data-dir", "BSS_DATA_DIR", "./var", "DIR", "where the store, bss.conf and admin.key live", T_STR,
     F(data_dir), 0, 0},
    {"db", "BSS_DB", "", "URL", "store: sqlite:PATH or postgres://... (default sqlite:<data-dir>/bss.db)",
     T_DB, F(db_url), 0, 0},
    {"listen", "BSS_LISTEN", "127.0.0.1:8080", "HOST:PORT", "HTTP address ([::1]:PORT for IPv6)", T_LISTEN,
     F(listen_host), 0, 0},
    {"threads", "BSS_THREADS", "0", "N", "event loops, 0 = one per core (0..256)", T_INT, F(threads), 0, 256},
    {"max-body", "BSS_MAX_BODY", "1048576", "BYTES", "largest request body (1 KiB..1 GiB)", T_I64,
     F(max_body), 1024, INT64_C(1) << 30},
    {"request-timeout", "BSS_REQUEST_TIMEOUT", "30000", "MS", "request timeout in ms (1..3600000)", T_I64,
     F(request_timeout_ms), 1, 3600000},
    {"db-busy-timeout", "BSS_DB_BUSY_TIMEOUT", "5000", "MS", "wait for a busy store, in ms (1..600000)",
     T_I64, F(db_busy_timeout_ms), 1, 600000},
    {"db-retries", "BSS_DB_RETRIES", "5", "N", "retries of a busy or conflicting transaction (0..100)", T_INT,
     F(db_retries), 0, 100},
    {"commit-window", "BSS_COMMIT_WINDOW", "500", "US", "group-commit batching window in us (0..100000)",
     T_I64, F(commit_window_us), 0, 100000},
    {"log-level", "BSS_LOG_LEVEL", "info", "LEVEL", "debug, info, warn or error", T_LEVEL, F(log_level), 0,
     0},
    {"log-file", "BSS_LOG_FILE", "", "FILE", "append log lines here (default: stderr)", T_STR, F(log_file), 0,
     0},
    {"request-log", "BSS_REQUEST_LOG", "true", "",
     "one http.request line per request: id, method, route, status, time, bytes, key, role (=false: off)", T_BOOL,
     F(request_log), 0, 0},
    {"demo", "BSS_DEMO", "false", "", "seed the demo operator into an empty store", T_BOOL, F(demo), 0, 0},
    {"test-clock", "BSS_TEST_CLOCK", "false", "", "enable PUT /admin/v1/clock and POST /admin/v1/test/sleep (tests only)", T_BOOL,
     F(test_clock), 0, 0},
    {"test-clock-start", "BSS_TEST_CLOCK_START", "", "TIME", "test clock start, RFC 3339 (default: now)",
     T_TIME, F(test_clock_start), 0, 0},
    {"verify-lines", "BSS_VERIFY_LINES", "false", "",
     "check every line online charging keeps in memory against the store, log charging.lines.mismatch (tests)",
     T_BOOL, F(verify_lines), 0, 0},
    {"webhook-timeout", "BSS_WEBHOOK_TIMEOUT", "5000", "MS",
     "timeout of one event delivery, in ms (1..600000)", T_I64, F(webhook_timeout_ms), 1, 600000},
    {"webhook-max-attempts", "BSS_WEBHOOK_MAX_ATTEMPTS", "10", "N", "deliveries tried per event (1..1000)",
     T_INT, F(webhook_max_attempts), 1, 1000},
    {"outbox-poll", "BSS_OUTBOX_POLL", "200", "MS", "outbox polling interval in ms (1..3600000)", T_I64,
     F(outbox_poll_ms), 1, 3600000},
    {"event-retention-days", "BSS_EVENT_RETENTION_DAYS", "7", "DAYS",
     "keep delivered and dead events this long (1..3650)", T_INT, F(event_retention_days), 1, 3650},
    {"base-url", "BSS_BASE_URL", "", "URL", "prefix of every href (default: http://<listen>)", T_URL,
     F(base_url), 0, 0},
    {"webhook-allow", "BSS_WEBHOOK_ALLOW", "", "LIST",
     "non-public CIDRs and host names event callbacks may reach (default: public addresses only)", T_ALLOW,
     F(webhook_allow), 0, 0},
    {"doc-max-bytes", "BSS_DOC_MAX_BYTES", "262144", "BYTES",
     "largest stored document, serialized (1 KiB..64 MiB; some kinds allow more)", T_I64, F(doc_max_bytes), 1024,
     INT64_C(64) << 20},
    {"doc-max-string", "BSS_DOC_MAX_STRING", "16384", "BYTES", "longest string member of a document (16..16 MiB)",
     T_I64, F(doc_max_string), 16, INT64_C(16) << 20},
    {"doc-max-array", "BSS_DOC_MAX_ARRAY", "1000", "N", "most elements of an array member (1..1000000)", T_I64,
     F(doc_max_array), 1, 1000000},
    {"rate-limit", "BSS_RATE_LIMIT", "", "LIST",
     "requests per second per key by role, e.g. agent=100,readonly=50 (0 = unlimited; defaults: admin=0 agent=100 "
     "billing=100 readonly=50 network=0 integration=200 catalog=100 privacy=50)",
     T_STR, F(rate_limit), 0, 0},
    {"default-country", "BSS_DEFAULT_COUNTRY", "", "CC",
     "the operator's country (ISO 3166-1 alpha-2, e.g. NL): phone numbers may be typed in its national forms",
     T_STR, F(default_country), 0, 0},
    {"max-inflight", "BSS_MAX_INFLIGHT", "64", "N",
     "requests one key may have queued or running on the workers and the writer (0 = unlimited, ..100000)", T_INT,
     F(max_inflight), 0, 100000},
    {"drain-timeout", "BSS_DRAIN_TIMEOUT", "10000", "MS",
     "on SIGTERM, how long to finish requests in flight before exiting (0..600000)", T_I64, F(drain_ms), 0,
     600000},
    {"sim-keys", "BSS_SIM_KEYS", "store", "WHERE",
     "where SIM Ki/OPc live: store (sealed with the secrets key) or hss (the operator's HSS; not stored)", T_SIMKEYS,
     F(sim_keys), 0, 0},
    {"msisdn-quarantine-days", "BSS_MSISDN_QUARANTINE_DAYS", "90", "DAYS",
     "a terminated number waits this long before it is sold again (0..3650)", T_INT, F(msisdn_quarantine_days), 0,
     3650},
    {"reservation-minutes", "BSS_RESERVATION_MINUTES", "30", "MIN",
     "how long a number or SIM reservation holds by default (1..10080)", T_INT, F(reservation_minutes), 1, 10080},
    {"inventory-warn", "BSS_INVENTORY_WARN", "1000", "N",
     "inventory stats warn when a prefix has fewer free numbers, or fewer SIMs are free (0..100000000)", T_I64,
     F(inventory_warn), 0, 100000000},
    {"cdr-spool", "BSS_CDR_SPOOL", "", "DIR",
     "a directory of CDR files to import: each *.csv is moved to work/, then done/ or failed/ (docs/charging.md)",
     T_STR, F(cdr_spool), 0, 0},
    {"quota-validity", "BSS_QUOTA_VALIDITY", "300", "S",
     "how long units granted to an online session stay reserved before they return to the balance (1..86400)", T_I64,
     F(quota_validity_s), 1, 86400},
    {"demo-usage", "BSS_DEMO_USAGE", "30", "DAYS",
     "with --demo, the days of usage seeded for the demo lines, within their current bill period (0..31)", T_I64,
     F(demo_usage_days), 0, 31},
    {"what-if-memory", "BSS_WHAT_IF_MEMORY", "1024", "MIB",
     "the usage a what-if run holds in memory at once (68 bytes an event); a longer period is read in passes (1..65536)",
     T_I64, F(what_if_memory_mib), 1, 65536},
    {"notify-log", "BSS_NOTIFY_LOG", "", "FILE",
     "where the log adapter writes subscriber notifications, one JSON line each (default <data-dir>/notifications.log)",
     T_STR, F(notify_log), 0, 0},
    {"bill-shock", "BSS_BILL_SHOCK", "50", "AMOUNT",
     "a postpaid account whose usage this bill period reaches this amount is alerted once (0 = never)", T_STR,
     F(bill_shock), 0, 0},
    {"provision-latency", "BSS_PROVISION_LATENCY", "100", "MS",
     "the provisioning simulator's time per network step, in ms (0..60000)", T_I64, F(provision_latency_ms), 0, 60000},
    {"provision-fail", "BSS_PROVISION_FAIL", "", "LIST",
     "steps the simulator fails, in percent of tries: hlr.createSubscriber=100,pcrf.setPolicy=10 (tests, demos)", T_STR,
     F(provision_fail), 0, 0},
    {"smdp-address", "BSS_SMDP_ADDRESS", "smdp.example.net", "HOST",
     "the SM-DP+ address in eSIM activation codes (LPA:1$<address>$<matching id>)", T_STR, F(smdp_address), 0, 0},
    {"provision-adapter", "BSS_PROVISION_ADAPTER", "simulator", "NAME",
     "the southbound adapter of provisioning: simulator, or http (the operator's MVNE/OSS at --provision-url)", T_ADAPTER,
     F(provision_adapter), 0, 0},
    {"provision-url", "BSS_PROVISION_URL", "", "URL", "the MVNE/OSS endpoint the http adapter POSTs tasks to", T_URL,
     F(provision_url), 0, 0},
    {"provision-token-file", "BSS_PROVISION_TOKEN_FILE", "", "FILE",
     "a file holding the bearer token the http adapter sends (not in the configuration itself)", T_STR,
     F(provision_token_file), 0, 0},
    {"provision-allow", "BSS_PROVISION_ALLOW", "", "LIST",
     "non-public CIDRs and host names the http adapter may reach (default: public addresses only)", T_ALLOW,
     F(provision_allow), 0, 0},
    {"provision-timeout", "BSS_PROVISION_TIMEOUT", "10000", "MS", "one call of the http adapter, in ms (1..600000)",
     T_I64, F(provision_timeout_ms), 1, 600000},
    {"provision-wait", "BSS_PROVISION_WAIT", "30000", "MS",
     "a step the MVNE accepted is asked for its outcome after this long, in ms (10..86400000)", T_I64,
     F(provision_wait_ms), 10, 86400000},
    {"porting-adapter", "BSS_PORTING_ADAPTER", "simulator", "NAME",
     "where porting steps go: simulator, or http (the number portability authority's gateway at --porting-url)",
     T_ADAPTER, F(porting_adapter), 0, 0},
    {"porting-url", "BSS_PORTING_URL", "", "URL", "the porting gateway the http porting adapter POSTs steps to", T_URL,
     F(porting_url), 0, 0},
    {"porting-token-file", "BSS_PORTING_TOKEN_FILE", "", "FILE", "a file holding the porting gateway's bearer token",
     T_STR, F(porting_token_file), 0, 0},
    {"secrets-key", "BSS_SECRETS_KEY", "", "FILE",
     "key sealing stored secrets such as callback passwords (default: <data-dir>/secrets.key, made if missing)",
     T_STR, F(secrets_key), 0, 0},
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const opt *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strlen(options[i].name) == len && memcmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

/* ---- value parsers: NULL on success, else the reason for the message ---- */

/* Decimal digits with an optional '-', nothing else; false if not or out of [min, max]. */
static bool parse_int64(const char *v, int64_t min, int64_t max, int64_t *out)
{
    return bss_parse_int64(v, strlen(v), BSS_NUM_MINUS, min, max, out) == BSS_OK;
}

static const char *parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes", "on"}, *const no[] = {"false", "0", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
            *out = strcmp(v, yes[i]) == 0;
            return NULL;
        }
    }
    return "expected true or false";
}

static const char *parse_listen(const char *v, char *host, size_t host_size, int *port)
{
    const char *colon, *h = v;
    size_t hlen;
    if (*v == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || close[1] != ':')
            return "expected HOST:PORT";
        h = v + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(v, ':');
        if (colon == NULL)
            return "expected HOST:PORT";
        hlen = (size_t)(colon - v);
        if (memchr(v, ':', hlen))
            return "expected HOST:PORT (write IPv6 addresses as [ADDR]:PORT)";
    }
    if (hlen == 0 || hlen >= host_size)
        return "expected HOST:PORT";
    for (size_t i = 0; i < hlen; i++)
        if (h[i] <= ' ' || h[i] == '/' || h[i] == '[' || h[i] == ']')
            return "expected HOST:PORT";
    int64_t p;
    if (colon[1] < '0' || colon[1] > '9' || !parse_int64(colon + 1, 1, 65535, &p))
        return "expected HOST:PORT with PORT 1..65535";
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return NULL;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *check_text(const opt *o, const char *v)
{
    bss_log_level lv;
    int64_t ms;
    switch (o->type) {
    case T_LEVEL:
        return bss_log_level_parse(v, &lv) == BSS_OK ? NULL : "expected debug, info, warn or error";
    case T_SIMKEYS:
        return strcmp(v, "store") == 0 || strcmp(v, "hss") == 0 ? NULL : "expected store or hss";
    case T_ADAPTER:
        return strcmp(v, "simulator") == 0 || strcmp(v, "http") == 0 ? NULL : "expected simulator or http";
    case T_DB:
        if ((has_prefix(v, "sqlite:") && v[7] != '\0') || has_prefix(v, "postgres://") ||
            has_prefix(v, "postgresql://"))
            return NULL;
        return "expected sqlite:PATH or postgres://...";
    case T_URL:
        if (*v == '\0' || has_prefix(v, "http://") || has_prefix(v, "https://"))
            return NULL;
        return "expected http://... or https://...";
    case T_TIME:
        if (*v == '\0' || bss_time_parse(v, strlen(v), &ms, NULL) == BSS_OK)
            return NULL;
        return "expected an RFC 3339 time like 2026-01-01T00:00:00Z";
    case T_ALLOW: {
        static _Thread_local bss_netallow scratch;
        static _Thread_local char why[160];
        bss_errinfo aei;
        if (bss_netallow_parse(v, &scratch, &aei) == BSS_OK)
            return NULL;
        const char *m = aei.message;
        if (strncmp(m, "webhook-allow: ", 15) == 0)
            m += 15;
        size_t n = strnlen(m, sizeof why - 1);
        memcpy(why, m, n);
        why[n] = '\0';
        return why;
    }
    default:
        return NULL;
    }
}

/* Stores one value; returns NULL or the reason it was refused (why_buf may hold it). */
static const char *store(bss_config *c, const opt *o, const char *v, char why_buf[96])
{
    char *field = (char *)c + o->offset;
    const char *why = NULL;
    int64_t n;
    switch (o->type) {
    case T_INT:
    case T_I64:
        if (!parse_int64(v, o->min, o->max, &n)) {
            snprintf(why_buf, 96, "expected an integer %lld..%lld", (long long)o->min, (long long)o->max);
            return why_buf;
        }
        if (o->type == T_INT)
            *(int *)(void *)field = (int)n;
        else
            *(int64_t *)(void *)field = n;
        return NULL;
    case T_BOOL:
        return parse_bool(v, (bool *)(void *)field);
    case T_LISTEN:
        return parse_listen(v, c->listen_host, sizeof(c->listen_host), &c->listen_port);
    case T_CONFIG:
        return "only allowed as --config or BSS_CONFIG";
    default:
        if ((why = check_text(o, v)) != NULL)
            return why;
        if (strlen(v) >= o->size)
            return "too long";
        memcpy(field, v, strlen(v) + 1);
        return NULL;
    }
}

/* ---- sources ---- */

#define ECHO_MAX 80

static bss_err apply(bss_config *c, const opt *o, const char *value, const char *source, bss_errinfo *ei)
{
    char why_buf[96];
    const char *why = store(c, o, value, why_buf);
    if (why == NULL)
        return BSS_OK;
    size_t vlen = strlen(value);
    return bss_fail(ei, BSS_E_CONFIG, o->name, "%s: %s, got '%.*s%s'%s%s%s", o->name, why,
                    vlen > ECHO_MAX ? ECHO_MAX : (int)vlen, value, vlen > ECHO_MAX ? "..." : "",
                    source ? " (" : "", source ? source : "", source ? ")" : "");
}

static bss_err unknown(const char *name, size_t len, const char *source, bss_errinfo *ei)
{
    char field[128];
    snprintf(field, sizeof(field), "%.*s", (int)(len < 100 ? len : 100), name);
    return bss_fail(ei, BSS_E_CONFIG, field, "unknown option '%s' (%s)", field, source);
}

void bss_config_defaults(bss_config *c)
{
    memset(c, 0, sizeof(*c));
    char why_buf[96];
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].type != T_CONFIG)
            store(c, &options[i], options[i].def, why_buf);
    snprintf(c->db_url, sizeof(c->db_url), "sqlite:%s/bss.db", c->data_dir);
}

bss_err bss_config_set(bss_config *c, const char *name, const char *value, bss_errinfo *ei)
{
    const opt *o = find_opt(name, strlen(name));
    if (o == NULL)
        return bss_fail(ei, BSS_E_CONFIG, name, "unknown option '%s'", name);
    return apply(c, o, value, NULL, ei);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Applies one file line; *db_set is raised when the line sets db. */
static bss_err file_line(bss_config *c, char *text, const char *source, bool *db_set, bss_errinfo *ei)
{
    char *s = trim(text);
    if (*s == '\0' || *s == '#')
        return BSS_OK;
    char *eq = strchr(s, '=');
    if (eq == NULL)
        return bss_fail(ei, BSS_E_CONFIG, "", "expected 'name = value', got '%.60s' (%s)", s, source);
    *eq = '\0';
    char *name = trim(s), *value = trim(eq + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
        value[vlen - 1] = '\0';
        value++;
    }
    const opt *o = find_opt(name, strlen(name));
    if (o == NULL)
        return unknown(name, strlen(name), source, ei);
    if (o->type == T_DB)
        *db_set = true;
    return apply(c, o, value, source, ei);
}

static bss_err load_file(bss_config *c, const char *path, bool must_exist, bool *db_set, bss_errinfo *ei)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (!must_exist && errno == ENOENT)
            return BSS_OK;
        return bss_fail(ei, BSS_E_CONFIG, "config", "config: cannot read '%s': %s", path, strerror(errno));
    }
    char line[4096], source[600];
    bss_err e = BSS_OK;
    for (int lineno = 1; e == BSS_OK && fgets(line, sizeof(line), f); lineno++) {
        snprintf(source, sizeof(source), "%s:%d", path, lineno);
        if (strchr(line, '\n') == NULL && !feof(f))
            e = bss_fail(ei, BSS_E_CONFIG, "", "line too long (%s)", source);
        else
            e = file_line(c, line, source, db_set, ei);
    }
    if (e == BSS_OK && ferror(f))
        e = bss_fail(ei, BSS_E_CONFIG, "config", "config: error reading '%s'", path);
    fclose(f);
    return e;
}

static bss_err load_env(bss_config *c, bool *db_set, bss_errinfo *ei)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const char *v = getenv(options[i].env);
        if (v == NULL || options[i].type == T_CONFIG)
            continue;
        if (options[i].type == T_DB)
            *db_set = true;
        bss_err e = apply(c, &options[i], v, options[i].env, ei);
        if (e)
            return e;
    }
    return BSS_OK;
}

/* One flag found on the command line. */
typedef struct flag {
    const opt *o;
    const char *value;
    char source[140];
} flag;

/* Splits argv into flags (checked against the table) and positional arguments moved to the front. */
static bss_err scan_flags(int argc, char **argv, flag *flags, int *nflags, int *npos, bss_errinfo *ei)
{
    int nf = 0, np = 0;
    bool only_pos = false;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            argv[np++] = a; /* np <= i: never overwrites an unread argument */
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        const char *name = a[1] == '-' ? a + 2 : a + 1;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const opt *o = a[1] == '-' ? find_opt(name, nlen) : NULL;
        if (o == NULL)
            return unknown(name, nlen, a[1] == '-' ? "command line" : "options start with --", ei);
        flag *f = &flags[nf++];
        f->o = o;
        snprintf(f->source, sizeof(f->source), "--%s", o->name);
        if (eq)
            f->value = eq + 1;
        else if (o->type == T_BOOL)
            f->value = "true";
        else if (i + 1 < argc)
            f->value = argv[++i];
        else
            return bss_fail(ei, BSS_E_CONFIG, o->name, "%s: missing value (--%s %s)", o->name, o->name,
                            o->arg);
    }
    *nflags = nf;
    *npos = np;
    return BSS_OK;
}

static const flag *last_flag(const flag *flags, int n, opt_type type)
{
    const flag *found = NULL;
    for (int i = 0; i < n; i++)
        if (flags[i].o->type == type)
            found = &flags[i];
    return found;
}

/* Finds and applies the config file: --config, BSS_CONFIG, or <data-dir>/bss.conf. */
static bss_err apply_file(bss_config *c, const flag *flags, int nf, bool *db_set, bss_errinfo *ei)
{
    const flag *cf = last_flag(flags, nf, T_CONFIG);
    const char *path = cf ? cf->value : getenv("BSS_CONFIG");
    if (path && *path)
        return load_file(c, path, true, db_set, ei);
    const char *dir = c->data_dir;
    for (int i = 0; i < nf; i++)
        if (strcmp(flags[i].o->name, "data-dir") == 0)
            dir = flags[i].value;
    if (dir == c->data_dir && getenv("BSS_DATA_DIR"))
        dir = getenv("BSS_DATA_DIR");
    char def[600];
    snprintf(def, sizeof(def), "%s/bss.conf", dir);
    return load_file(c, def, false, db_set, ei);
}

bss_err bss_config_load(bss_config *c, int argc, char **argv, int *rest_argc, char ***rest_argv,
                        bss_errinfo *ei)
{
    flag *flags = NULL;
    int nf = 0, np = 0;
    bool db_set = false;
    if (argc > 0 && (flags = bss_calloc((size_t)argc, sizeof(*flags))) == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
    bss_err e = scan_flags(argc, argv, flags, &nf, &np, ei);
    if (e == BSS_OK && np > 0 && rest_argv == NULL)
        e = bss_fail(ei, BSS_E_CONFIG, "", "unexpected argument '%.80s'", argv[0]);
    if (e == BSS_OK)
        e = apply_file(c, flags, nf, &db_set, ei);
    if (e == BSS_OK)
        e = load_env(c, &db_set, ei);
    for (int i = 0; e == BSS_OK && i < nf; i++) {
        if (flags[i].o->type == T_CONFIG)
            continue;
        if (flags[i].o->type == T_DB)
            db_set = true;
        e = apply(c, flags[i].o, flags[i].value, flags[i].source, ei);
    }
    bss_free(flags);
    if (e)
        return e;
    if (!db_set)
        snprintf(c->db_url, sizeof(c->db_url), "sqlite:%s/bss.db", c->data_dir);
    if (rest_argc)
        *rest_argc = np;
    if (rest_argv)
        *rest_argv = argv;
    return BSS_OK;
}

void bss_config_print_help(FILE *out)
{
    int wflag = 0, wenv = 0, wdef = 0;
    char flagtext[NOPTIONS][64];
    for (size_t i = 0; i < NOPTIONS; i++) {
        const opt *o = &options[i];
        int n = snprintf(flagtext[i], sizeof(flagtext[i]), "--%s%s%s", o->name, *o->arg ? " " : "", o->arg);
        if (n > wflag)
            wflag = n;
        if ((int)strlen(o->env) > wenv)
            wenv = (int)strlen(o->env);
        if ((int)strlen(o->def) + 2 > wdef)
            wdef = (int)strlen(o->def) + 2;
    }
    fprintf(out, "options (flag > environment > config file > default):\n");
    fprintf(out, "  %-*s  %-*s  %-*s  %s\n", wflag, "FLAG", wenv, "ENVIRONMENT", wdef, "DEFAULT", "MEANING");
    for (size_t i = 0; i < NOPTIONS; i++) {
        char def[64];
        snprintf(def, sizeof(def), "%s", *options[i].def ? options[i].def : "-");
        fprintf(out, "  %-*s  %-*s  %-*s  %s\n", wflag, flagtext[i], wenv, options[i].env, wdef, def,
                options[i].help);
    }
}

/* A postgres URL with its password replaced by ***; other values as they are. */
static void redact_db(const char *url, char *out, size_t cap)
{
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme && at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (!colon) {
        snprintf(out, cap, "%s", url);
        return;
    }
    snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
    char *q = strstr(out, "password=");
    if (q) { /* a password given as a query parameter */
        char *end = q + 9;
        while (*end && *end != '&')
            end++;
        memmove(q + 12, end, strlen(end) + 1);
        memcpy(q + 9, "***", 3);
    }
}

void bss_config_log(const bss_config *c)
{
    char line[4096];
    size_t used = 0;
    for (size_t i = 0; i < NOPTIONS && used < sizeof line; i++) {
        const opt *o = &options[i];
        const char *base = (const char *)c + o->offset;
        char val[1024];
        switch (o->type) {
        case T_CONFIG:
            continue;
        case T_INT:
            snprintf(val, sizeof val, "%d", *(const int *)(const void *)base);
            break;
        case T_I64:
            snprintf(val, sizeof val, "%lld", (long long)*(const int64_t *)(const void *)base);
            break;
        case T_BOOL:
            snprintf(val, sizeof val, "%s", *(const bool *)(const void *)base ? "true" : "false");
            break;
        case T_LISTEN:
            snprintf(val, sizeof val, strchr(c->listen_host, ':') ? "[%s]:%d" : "%s:%d", c->listen_host,
                     c->listen_port);
            break;
        case T_DB:
            redact_db(base, val, sizeof val);
            break;
        default:
            snprintf(val, sizeof val, "%s", base);
            break;
        }
        bool quote = val[0] == '\0' || strpbrk(val, " =\"\\") != NULL;
        int n = snprintf(line + used, sizeof line - used, "%s%s=%s", used ? " " : "", o->name, quote ? "\"" : "");
        used += n > 0 ? (size_t)n : 0;
        for (const char *v = val; *v && used + 3 < sizeof line; v++) {
            if (*v == '"' || *v == '\\')
                line[used++] = '\\';
            line[used++] = (*v >= ' ' && *v != 0x7f) ? *v : '?';
        }
        if (quote && used + 1 < sizeof line)
            line[used++] = '"';
    }
    if (used >= sizeof line)
        used = sizeof line - 1;
    line[used] = '\0';
    bss_logf(BSS_LOG_INFO, "config", "%s", line);
}
