/*
 * cmd_serve.c: `bss serve`, the server. In order: load the configuration
 * (exit 2 on a bad option), create the data directory (0700), take the
 * store lock (exit 1 if another server holds it), migrate, create the first
 * admin key into <data-dir>/admin.key (0600) if the store has no key,
 * start the group-commit writer, seed the demo (--demo), start the event
 * dispatcher, and run the HTTP server until SIGINT/SIGTERM; then stop
 * everything in reverse order.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "api/api.h"
#include "api/ratelimit.h"
#include "core/phone.h"
#include "app.h"
#include "cli/cli.h"
#include "order/order.h"
#include "cli/demo.h"
#include "core/config.h"
#include "core/log.h"
#include "core/money.h"
#include "catalog/catalog.h"
#include "charging/charging.h"
#include "db/lock.h"
#include "db/migrate.h"
#include "db/writer.h"
#include "doc/doc.h"
#include "events/events.h"

/* mkdir -p with mode 0700 for what it creates. */
static bss_err make_dir(const char *path, bss_errinfo *ei)
{
    char buf[512];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return bss_fail(ei, BSS_E_CONFIG, "data-dir", "bad data directory '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return bss_fail(ei, BSS_E_IO, "data-dir", "cannot create %s: %s", buf, strerror(errno));
        buf[i] = c;
    }
    return BSS_OK;
}

static bss_err write_secret(const char *path, const char *text, bss_errinfo *ei)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return bss_fail(ei, BSS_E_IO, NULL, "cannot create %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    bool ok = fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
              fsync(fd) == 0;
    int e = errno;
    close(fd);
    if (!ok) {
        unlink(path);
        return bss_fail(ei, BSS_E_IO, NULL, "cannot write %s: %s", path, strerror(e));
    }
    return BSS_OK;
}

/*
 * First start: a store without any key gets an admin key, written to
 * <data-dir>/admin.key before the row is committed (so a key in the store
 * is never lost); only the path is logged.
 */
static bss_err ensure_admin_key(bss_app *app, bss_db *db, bss_errinfo *ei)
{
    int64_t count = 0;
    bss_err rc = bss_auth_key_count(db, &count, ei);
    if (rc != BSS_OK || count > 0)
        return rc;
    bss_api_key row;
    char key[BSS_AUTH_KEY_LEN + 1], hash[BSS_AUTH_HASH_HEX_LEN + 1], path[600], tmp[610];
    rc = bss_auth_key_new(bss_clock_now(&app->clock), "admin", BSS_ROLE_ADMIN, &row, key, hash, ei);
    if (rc != BSS_OK)
        return rc;
    snprintf(path, sizeof(path), "%s/admin.key", app->cfg.data_dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    rc = write_secret(tmp, key, ei);
    sodium_memzero(key, sizeof(key));
    if (rc == BSS_OK)
        rc = bss_auth_key_insert(db, &row, hash, ei);
    if (rc == BSS_OK && rename(tmp, path) != 0)
        rc = bss_fail(ei, BSS_E_IO, NULL, "cannot rename %s: %s", tmp, strerror(errno));
    if (rc != BSS_OK) {
        unlink(tmp);
        return rc;
    }
    bss_log(BSS_LOG_INFO, "auth.admin_key", "path", path, "id", row.id, "message",
            "created the first admin key", NULL);
    return BSS_OK;
}

static bss_err prepare_store(bss_app *app, bss_errinfo *ei)
{
    bss_db *db = NULL;
    bss_err rc = bss_db_open(app->cfg.db_url, &app->dbopt, &db, ei);
    int applied = 0;
    if (rc == BSS_OK)
        rc = bss_db_migrate(db, bss_clock_now(&app->clock), &applied, ei);
    if (rc == BSS_OK) {
        char n[16];
        snprintf(n, sizeof(n), "%d", applied);
        bss_log(BSS_LOG_INFO, "db.migrated", "backend", bss_db_kind_name(db), "applied", n, NULL);
        rc = ensure_admin_key(app, db, ei);
    }
    bool rebuilt = false;
    if (rc == BSS_OK)
        rc = bss_doc_refs_sync(db, bss_doc_kinds, &rebuilt, ei);
    if (rc == BSS_OK && rebuilt)
        bss_log(BSS_LOG_INFO, "doc.refs_rebuilt", "message", "rebuilt the index of references between documents",
                NULL);
    int sealed = 0;
    if (rc == BSS_OK)
        rc = bss_hub_seal_legacy(db, &app->secrets, &sealed, ei);
    if (rc == BSS_OK && sealed > 0) {
        char n[16];
        snprintf(n, sizeof(n), "%d", sealed);
        bss_log(BSS_LOG_INFO, "events.sealed_legacy", "subscriptions", n, "message",
                "moved callback passwords out of the URLs into sealed storage", NULL);
    }
    bss_db_close(db);
    return rc;
}

static bss_err init_app(bss_app *app, bss_errinfo *ei)
{
    bss_config *cfg = &app->cfg;
    bss_log_level lvl;
    if (bss_log_level_parse(cfg->log_level, &lvl) == BSS_OK)
        bss_log_set_level(lvl);
    if (cfg->log_file[0] != '\0' && bss_log_open(cfg->log_file) != BSS_OK)
        return bss_fail(ei, BSS_E_CONFIG, "log-file", "cannot open the log file %s", cfg->log_file);
    if (cfg->test_clock) {
        int64_t start = 0;
        if (cfg->test_clock_start[0] != '\0' &&
            bss_time_parse(cfg->test_clock_start, strlen(cfg->test_clock_start), &start, ei) != BSS_OK)
            return bss_fail(ei, BSS_E_CONFIG, "test-clock-start", "not an RFC 3339 time: %s",
                            cfg->test_clock_start);
        if (cfg->test_clock_start[0] == '\0') {
            bss_clock real;
            bss_clock_init_real(&real);
            start = bss_clock_now(&real);
        }
        bss_clock_init_test(&app->clock, start);
    } else {
        bss_clock_init_real(&app->clock);
    }
    if (bss_netallow_parse(cfg->webhook_allow, &app->webhook_allow, ei) != BSS_OK)
        return BSS_E_CONFIG;
    if (bss_ratelimit_check(cfg->rate_limit, ei) != BSS_OK)
        return BSS_E_CONFIG;
    if (cfg->default_country[0] && !bss_phone_country_ok(cfg->default_country))
        return bss_fail(ei, BSS_E_CONFIG, "default-country",
                        "default-country: '%s' is not an ISO 3166-1 alpha-2 country with a numbering plan (e.g. NL)",
                        cfg->default_country);
    bss_phone_set_default_country(cfg->default_country);
    bss_config_log(cfg);
    app->dbopt.busy_timeout_ms = cfg->db_busy_timeout_ms;
    app->dbopt.retries = cfg->db_retries;
    if (cfg->base_url[0] != '\0')
        snprintf(app->base_url, sizeof(app->base_url), "%s", cfg->base_url);
    else
        snprintf(app->base_url, sizeof(app->base_url), "http://%s:%d", cfg->listen_host, cfg->listen_port);
    return BSS_OK;
}

/* Everything after the lock: store, writer, workers, demo, catalog, events, server. */
/* The writer's after-commit hook: one wake-up of the dispatcher per batch that recorded deliverable events.
 */
static void wake_dispatcher(void *arg)
{
    bss_events *events = arg;
    if (bss_outbox_take_recorded())
        bss_events_kick(events);
}

/* The key that seals stored secrets: --secrets-key, else <data-dir>/secrets.key (made on first start). */
static bss_err load_secrets(bss_app *app, bss_errinfo *ei)
{
    char path[600];
    bool given = app->cfg.secrets_key[0] != '\0';
    if (given)
        snprintf(path, sizeof path, "%s", app->cfg.secrets_key);
    else
        snprintf(path, sizeof path, "%s/secrets.key", app->cfg.data_dir);
    bool created = false;
    bss_err rc = bss_seal_key_load(path, !given, &app->secrets, &created, ei);
    if (rc == BSS_OK && created)
        bss_log(BSS_LOG_INFO, "secrets.key_created", "path", path, "message",
                "created the key that seals stored secrets; keep it with the store's backups", NULL);
    return rc;
}

/*
 * An http adapter's settings: the endpoint (required), its token (from a
 * file), the address policy (--provision-allow for both adapters).
 */
static bss_err load_http_adapter(bss_app *app, const char *url, const char *url_opt, const char *token_file,
                                 const char *token_opt, bss_prov_http *h, bss_errinfo *ei)
{
    if (!url[0])
        return bss_fail(ei, BSS_E_CONFIG, url_opt, "%s: the http adapter needs the endpoint to call", url_opt);
    snprintf(h->url, sizeof h->url, "%s", url);
    size_t n = strlen(h->url);
    while (n > 0 && h->url[n - 1] == '/')
        h->url[--n] = '\0';
    h->timeout_ms = app->cfg.provision_timeout_ms;
    snprintf(h->callback_base, sizeof h->callback_base, "%s", app->base_url);
    bss_err rc = bss_netallow_parse(app->cfg.provision_allow, &h->allow, ei);
    if (rc != BSS_OK)
        return bss_fail(ei, BSS_E_CONFIG, "provision-allow", "provision-allow: %s", ei->message);
    if (token_file[0]) {
        FILE *f = fopen(token_file, "r");
        if (!f)
            return bss_fail(ei, BSS_E_CONFIG, token_opt, "%s: cannot read %s: %s", token_opt, token_file,
                            strerror(errno));
        if (!fgets(h->token, sizeof h->token, f))
            h->token[0] = '\0';
        fclose(f);
        h->token[strcspn(h->token, "\r\n")] = '\0';
        for (const char *p = h->token; *p; p++)
            if ((unsigned char)*p <= ' ' || *p == 0x7f)
                return bss_fail(ei, BSS_E_CONFIG, token_opt, "%s: the token must be one line of printable characters",
                                token_opt);
    }
    return BSS_OK;
}

static int serve(bss_app *app, bss_errinfo *ei)
{
    if (load_secrets(app, ei) != BSS_OK || prepare_store(app, ei) != BSS_OK)
        return 1;
    /* the dispatcher first: the writer wakes it after commits, and it outlives the writer */
    if (bss_events_start(app, &app->events, ei) != BSS_OK)
        return 1;
    /* online charging's lines stay in memory on the writer, kept current by the writer's own changes */
    if (!(app->lines = bss_lines_new(0, app->cfg.verify_lines))) {
        bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        return 1;
    }
    bss_writer_options wopt = {.window_us = app->cfg.commit_window_us,
                               .max_batch = 256,
                               .max_queue = 100000,
                               .after_commit = wake_dispatcher,
                               .after_commit_arg = app->events,
                               .listener = bss_lines_listener(app->lines)};
    int status = 0;
    if (bss_writer_start(app->cfg.db_url, &app->dbopt, &wopt, &app->writer, ei) != BSS_OK)
        status = 1;
    /*
     * Work too long for a loop (every list, the customer view, search,
     * exports, imports, bill runs): two workers per core, at least 4, so a
     * long import does not hold the lists up.
     */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nworkers = ncpu > 2 ? (int)ncpu * 2 : 4;
    if (status == 0 &&
        bss_workers_start(app->cfg.db_url, &app->dbopt, nworkers, 10000, &app->workers, ei) != BSS_OK)
        status = 1;
    if (status == 0 && app->cfg.demo && bss_demo_seed(app, ei) != BSS_OK)
        status = 1;
    /*
     * The compiled catalog the rater reads, rebuilt after every catalog
     * write. Every write is validated, so a stored catalog compiles; if it
     * does not (data changed behind the server's back), serve anyway with
     * what compiled and say so: the API is how the catalog gets fixed.
     */
    if (status == 0) {
        bss_errinfo cei;
        bss_errinfo_clear(&cei);
        if (bss_catalog_rebuild(app, &cei) != BSS_OK)
            bss_log(BSS_LOG_ERROR, "catalog.rebuild", "field", cei.field, "message", cei.message, NULL);
    }
    if (status == 0 && !(app->ratelimit = bss_ratelimit_new(app->cfg.rate_limit, app->cfg.max_inflight))) {
        bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory");
        status = 1;
    }
    /* the provisioning runner: resumes the tasks a previous run left, then runs new ones */
    static bss_prov_sim sim;
    static bss_prov_http http, porting_http;
    bss_prov_adapter adapter = bss_prov_simulator(&sim), porting = bss_prov_simulator(&sim);
    if (status == 0 && strcmp(app->cfg.provision_adapter, "http") == 0 &&
        load_http_adapter(app, app->cfg.provision_url, "provision-url", app->cfg.provision_token_file,
                          "provision-token-file", &http, ei) != BSS_OK)
        status = 1;
    if (status == 0 && strcmp(app->cfg.provision_adapter, "http") == 0)
        adapter = bss_prov_http_adapter(&http);
    if (status == 0 && strcmp(app->cfg.porting_adapter, "http") == 0 &&
        load_http_adapter(app, app->cfg.porting_url, "porting-url", app->cfg.porting_token_file, "porting-token-file",
                          &porting_http, ei) != BSS_OK)
        status = 1;
    if (status == 0 && strcmp(app->cfg.porting_adapter, "http") == 0)
        porting = bss_prov_http_adapter(&porting_http);
    if (status == 0) {
        sim.latency_ms = app->cfg.provision_latency_ms;
        snprintf(sim.fail, sizeof sim.fail, "%s", app->cfg.provision_fail);
        snprintf(sim.smdp_address, sizeof sim.smdp_address, "%s", app->cfg.smdp_address);
        bss_order_cfg ocfg = {.poll_ms = 200,
                              .lease_ms = 60000,
                              .attempts = 3,
                              .retry_ms = 200,
                              .quarantine_days = app->cfg.msisdn_quarantine_days,
                              .wait_ms = app->cfg.provision_wait_ms,
                              .base_url = app->base_url};
        if (bss_prov_sim_check(sim.fail, ei) != BSS_OK ||
            bss_order_runner_start(app, &ocfg, &adapter, &porting, &app->orders, ei) != BSS_OK)
            status = 1;
    }
    bss_cdr_spool *spool = NULL;
    bss_notifier *notifier = NULL;
    if (status == 0 && (bss_money_parse(app->cfg.bill_shock, strlen(app->cfg.bill_shock), &app->bill_shock_micros,
                                        NULL) != BSS_OK ||
                        app->bill_shock_micros < 0)) {
        bss_fail(ei, BSS_E_CONFIG, "bill-shock", "--bill-shock is an amount >= 0 (50, 49.99), not %.32s",
                 app->cfg.bill_shock);
        status = 1;
    }
    if (status == 0) {
        char path[1600];
        if (app->cfg.notify_log[0])
            snprintf(path, sizeof path, "%s", app->cfg.notify_log);
        else
            snprintf(path, sizeof path, "%s/notifications.log", app->cfg.data_dir);
        if (bss_notifier_start(app, path, &notifier, ei) != BSS_OK)
            status = 1;
    }
    bss_charging_cycle *cycle = NULL;
    if (status == 0 && bss_charging_cycle_start(app, 2000, &cycle, ei) != BSS_OK)
        status = 1;
    if (status == 0 && app->cfg.cdr_spool[0] && bss_cdr_spool_start(app, app->cfg.cdr_spool, 1000, &spool, ei) != BSS_OK)
        status = 1;
    if (status == 0 && bss_server_run(app, ei) != BSS_OK)
        status = 1;
    bss_cdr_spool_stop(spool); /* the chunk in progress finishes; a file not finished stays in work/ */
    bss_charging_cycle_stop(cycle);
    bss_notifier_stop(notifier); /* what is still pending is sent at the next start */
    bss_order_runner_stop(app->orders); /* the step running finishes; the rest waits for the next start */
    app->orders = NULL;
    bss_workers_stop(app->workers); /* drains its queue (catalog rebuilds too); its jobs may still write */
    app->workers = NULL;
    bss_catalog_holder_destroy(app->catalog);
    app->catalog = NULL;
    bss_writer_stop(app->writer); /* drains; its after-commit hook may still wake the dispatcher */
    app->writer = NULL;
    bss_lines_free(app->lines);
    app->lines = NULL;
    bss_events_stop(app->events);
    app->events = NULL;
    bss_ratelimit_free(app->ratelimit);
    app->ratelimit = NULL;
    return status;
}

int bss_cmd_serve(int argc, char **argv)
{
    bss_server_block_signals(); /* before any thread exists: the server takes the signals */
    static bss_app app;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_config_defaults(&app.cfg);
    if (bss_config_load(&app.cfg, argc - 1, argv + 1, NULL, NULL, &ei) != BSS_OK ||
        init_app(&app, &ei) != BSS_OK) {
        fprintf(stderr, "bss serve: %s\n", ei.message);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "bss serve: libsodium failed to initialise\n");
        return 1;
    }
    /* a port in use is found before anything is made: no new data dir, store or admin key is left behind */
    if (bss_server_check_listen(app.cfg.listen_host, app.cfg.listen_port, &ei) != BSS_OK ||
        make_dir(app.cfg.data_dir, &ei) != BSS_OK) {
        fprintf(stderr, "bss serve: %s\n", ei.message);
        return 1;
    }
    bss_store_lock *lock = NULL;
    if (bss_store_lock_acquire(app.cfg.data_dir, app.cfg.db_url, &lock, &ei) != BSS_OK) {
        fprintf(stderr, "bss serve: %s\n", ei.message);
        return 1;
    }
    int status = serve(&app, &ei);
    if (status != 0) {
        bss_log(BSS_LOG_ERROR, "server.fail", "code", bss_errname(ei.code), "message", ei.message, NULL);
        fprintf(stderr, "bss serve: %s\n", ei.message);
    }
    bss_store_lock_release(lock);
    return status;
}

void bss_cmd_serve_help(FILE *out)
{
    fprintf(out, "usage: bss serve [options]\n\n"
                 "Runs the server: the TM Forum REST API, /health, /metrics, the admin API and the\n"
                 "event dispatcher, on one event loop per core. Migrates the store first. On the\n"
                 "first start it creates an admin API key and writes it to <data-dir>/admin.key\n"
                 "(mode 0600). On SIGINT or SIGTERM it stops accepting at once, lets requests\n"
                 "in flight finish within --drain-timeout, and exits.\n\n"
                 "Every option is in the table below; flags that take no value (--demo,\n"
                 "--test-clock, --request-log) may be given as --flag=false.\n\n"
                 "Exit status: 0 after a clean stop, 1 on a run-time failure (store locked by\n"
                 "another server, store unreachable, port in use, or a stop that did not finish\n"
                 "within the drain), 2 on a bad option.\n\n");
    bss_config_print_help(out);
}
