/*
 * cmd_inventory.c: `bss inventory import-sims|add-range|category|stats`, a
 * client of the running server's admin API (/admin/v1/inventory/...), like
 * `bss catalog`: the server owns the store while it runs. The SIM batch
 * file format, number ranges and categories are in docs/inventory.md.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/mem.h"

#define MAX_ANSWER (64 << 20)
#define MAX_FILE (256 << 20)

typedef struct inv_opts {
    bss_cli_client client;
    const char *batch, *category, *price, *description;
    bool partial, dry_run, json;
} inv_opts;

/* FILE.rejects.csv: line,iccid,field,reason (or standard error when the file was stdin). */
static void write_rejects(const char *file, const json_t *rejects)
{
    char path[4096];
    FILE *out = stderr;
    if (strcmp(file, "-") != 0) {
        snprintf(path, sizeof path, "%s.rejects.csv", file);
        if (!(out = fopen(path, "w"))) {
            fprintf(stderr, "bss inventory: cannot write %s: %s\n", path, strerror(errno));
            out = stderr;
        }
    }
    fputs("line,iccid,field,reason\n", out);
    size_t i;
    const json_t *r;
    json_array_foreach(rejects, i, r)
    {
        fprintf(out, "%lld,", (long long)json_integer_value(json_object_get(r, "line")));
        bss_csv_write_field(out, json_string_value(json_object_get(r, "iccid")));
        fputc(',', out);
        bss_csv_write_field(out, json_string_value(json_object_get(r, "field")));
        fputc(',', out);
        bss_csv_write_field(out, json_string_value(json_object_get(r, "reason")));
        fputc('\n', out);
    }
    if (out != stderr) {
        fclose(out);
        fprintf(stderr, "bss inventory: rejected rows are listed in %s\n", path);
    }
}

static int import_sims(inv_opts *o, const char *file)
{
    size_t len = 0;
    char *body = bss_cli_read_file(&o->client, file, MAX_FILE, &len);
    if (!body)
        return 1;
    char path[512] = "/admin/v1/inventory/sims/import";
    if (o->partial)
        bss_cli_add_param(path, sizeof path, "partial", "true");
    if (o->dry_run)
        bss_cli_add_param(path, sizeof path, "dryRun", "true");
    if (o->batch)
        bss_cli_add_param(path, sizeof path, "batch", o->batch);
    o->client.content_type = "text/csv";
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "POST", path, body, len, &a);
    explicit_bzero(body, len);
    bss_free(body);
    json_t *ans = a.data ? json_loads(a.data, 0, NULL) : NULL;
    json_t *rep = st == 200 ? ans : (st == 422 ? json_object_get(ans, "report") : NULL);
    int rc = 0;
    if (rep) {
        printf("%s%lld rows read, %lld imported into batch %s, %lld rejected",
               json_is_true(json_object_get(rep, "dryRun")) ? "dry run (nothing written): " : "",
               (long long)json_integer_value(json_object_get(rep, "read")),
               (long long)json_integer_value(json_object_get(rep, "imported")),
               json_string_value(json_object_get(rep, "batch")),
               (long long)json_integer_value(json_object_get(rep, "rejected")));
        if (json_integer_value(json_object_get(rep, "keysDropped")) > 0)
            printf(", Ki/OPc of %lld rows not stored (--sim-keys hss)",
                   (long long)json_integer_value(json_object_get(rep, "keysDropped")));
        printf("\n");
        if (json_array_size(json_object_get(rep, "rejects")) > 0)
            write_rejects(file, json_object_get(rep, "rejects"));
        if (st != 200) {
            fprintf(stderr, "bss inventory: %s\n", json_string_value(json_object_get(ans, "message")));
            rc = 1;
        }
    } else
        rc = bss_cli_report_error(&o->client, st, &a);
    json_decref(ans);
    bss_cli_answer_free(&a);
    return rc;
}

static int post_json(inv_opts *o, const char *method, const char *path, json_t *req, long want, json_t **out)
{
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!body) {
        fprintf(stderr, "bss inventory: out of memory\n");
        return 1;
    }
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, method, path, body, strlen(body), &a);
    bss_free(body);
    int rc = 0;
    if (st == want && a.data)
        *out = json_loads(a.data, 0, NULL);
    else
        rc = bss_cli_report_error(&o->client, st, &a);
    bss_cli_answer_free(&a);
    return rc;
}

static int add_range(inv_opts *o, const char *from, const char *to)
{
    json_t *req = json_pack("{s:s, s:s}", "from", from, "to", to), *r = NULL;
    if (req && o->category)
        json_object_set_new(req, "category", json_string(o->category));
    int rc = post_json(o, "POST", "/admin/v1/inventory/ranges", req, 201, &r);
    if (rc == 0)
        printf("added %lld %s numbers %s..%s (prefix %s, range %s)\n",
               (long long)json_integer_value(json_object_get(r, "size")),
               json_string_value(json_object_get(r, "category")), json_string_value(json_object_get(r, "from")),
               json_string_value(json_object_get(r, "to")), json_string_value(json_object_get(r, "prefix")),
               json_string_value(json_object_get(r, "id")));
    json_decref(r);
    return rc;
}

static int put_category(inv_opts *o, const char *name)
{
    json_t *req = json_object(), *r = NULL;
    if (req && o->price)
        json_object_set_new(req, "priceId", json_string(o->price));
    if (req && o->description)
        json_object_set_new(req, "description", json_string(o->description));
    char path[300] = "/admin/v1/inventory/categories/";
    size_t n = strlen(path);
    for (const char *p = name; *p && n + 1 < sizeof path; p++)
        path[n++] = *p;
    path[n] = '\0';
    int rc = post_json(o, "PUT", path, req, 200, &r);
    if (rc == 0)
        printf("category %s%s%s\n", name, o->price ? ", one-time price " : "", o->price ? o->price : "");
    json_decref(r);
    return rc;
}

static void print_counts(const char *title, const json_t *obj)
{
    const char *k;
    json_t *v;
    printf("  %s:", title);
    json_object_foreach((json_t *)obj, k, v)
        printf(" %s %lld", k, (long long)json_integer_value(v));
    printf("\n");
}

static int stats(inv_opts *o)
{
    json_t *s = NULL;
    int rc = bss_cli_get_json(&o->client, "/admin/v1/inventory/stats", o->json, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    json_t *sims = json_object_get(s, "sims"), *ms = json_object_get(s, "msisdns");
    printf("SIMs: %lld\n", (long long)json_integer_value(json_object_get(sims, "total")));
    print_counts("by state", json_object_get(sims, "byState"));
    print_counts("by profile", json_object_get(sims, "byProfile"));
    printf("Numbers: %lld\n", (long long)json_integer_value(json_object_get(ms, "total")));
    print_counts("by state", json_object_get(ms, "byState"));
    print_counts("by category", json_object_get(ms, "byCategory"));
    printf("  %-16s %10s %10s\n", "prefix", "numbers", "available");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(s, "prefixes"), i, p)
        printf("  %-16s %10lld %10lld%s\n", json_string_value(json_object_get(p, "prefix")),
               (long long)json_integer_value(json_object_get(p, "total")),
               (long long)json_integer_value(json_object_get(p, "available")),
               json_is_true(json_object_get(p, "warning")) ? "  LOW" : "");
    json_array_foreach(json_object_get(s, "warnings"), i, p)
        printf("warning: %s\n", json_string_value(p));
    json_decref(s);
    return 0;
}

static int run_import(void *o, char **args)
{
    return import_sims(o, args[0]);
}

static int run_range(void *o, char **args)
{
    return add_range(o, args[0], args[1]);
}

static int run_category(void *o, char **args)
{
    return put_category(o, args[0]);
}

static int run_stats(void *o, char **args)
{
    (void)args;
    return stats(o);
}

int bss_cmd_inventory(int argc, char **argv)
{
    static inv_opts o;
    memset(&o, 0, sizeof o);
    o.client.cmd = "bss inventory";
    o.client.timeout_s = 600;
    o.client.max_answer = MAX_ANSWER;
    const char *url = NULL, *key = NULL;
    const bss_cli_flag flags[] = {
        {"--url", &url, NULL},           {"--key", &key, NULL},
        {"--batch", &o.batch, NULL},     {"--category", &o.category, NULL},
        {"--price", &o.price, NULL},     {"--description", &o.description, NULL},
        {"--partial", NULL, &o.partial}, {"--dry-run", NULL, &o.dry_run},
        {"--json", NULL, &o.json},
    };
    bss_config cfg;
    int rest = 0;
    char **rest_argv = NULL;
    if (bss_cli_args(o.client.cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &cfg, &rest, &rest_argv) != 0)
        return 2;
    static const bss_cli_sub subs[] = {
        {"import-sims", 1, run_import}, {"add-range", 2, run_range}, {"category", 1, run_category}, {"stats", 0, run_stats}};
    return bss_cli_dispatch(&o.client, &cfg, url, key, rest, rest_argv, subs, sizeof subs / sizeof subs[0], &o,
                            bss_cmd_inventory_help);
}

void bss_cmd_inventory_help(FILE *out)
{
    fprintf(out,
            "usage: bss inventory import-sims FILE [--partial] [--dry-run] [--batch NAME] [options]\n"
            "       bss inventory add-range FROM TO [--category NAME] [options]\n"
            "       bss inventory category NAME [--price PRICE_ID] [--description TEXT] [options]\n"
            "       bss inventory stats [--json] [options]\n\n"
            "The SIM cards and the MSISDN pool of the running server (docs/inventory.md).\n\n"
            "import-sims  loads a SIM vendor's batch file (CSV with a header: iccid, imsi,\n"
            "             ki, opc, pin1, puk1, pin2, puk2, profile, batch, warehouse; \"-\"\n"
            "             reads standard input). ICCIDs are Luhn-checked; Ki, OPc and the\n"
            "             codes are sealed (or, with the server's --sim-keys hss, Ki/OPc are\n"
            "             not stored). All or nothing: one bad row imports nothing unless\n"
            "             --partial. Rejected rows, with their line numbers, are written to\n"
            "             FILE.rejects.csv.\n"
            "add-range    adds the numbers FROM..TO (E.164 or the --default-country's\n"
            "             national form) to the pool, at most 100000 at a time.\n"
            "category     defines a number category (golden, silver ...) and the one-time\n"
            "             catalog price (a productOfferingPrice id) an order for such a\n"
            "             number adds; define it before adding a range of it.\n"
            "stats        SIMs and numbers by state, numbers left per prefix, and warnings\n"
            "             below the server's --inventory-warn.\n\n"
            "  --partial          import-sims: import the good rows, report the rest\n"
            "  --dry-run          import-sims: check the file, write nothing\n"
            "  --batch NAME       import-sims: the batch of rows without one (default import-<date>)\n"
            "  --category NAME    add-range: the numbers' category (default standard)\n"
            "  --price ID         category: its one-time productOfferingPrice\n"
            "  --description TEXT category: what it is\n"
            "  --json             stats: print the server's JSON\n"
            "  --url URL          the server (default http://<listen> from the configuration)\n"
            "  --key KEY          an admin key (default: the contents of <data-dir>/admin.key)\n\n"
            "Exit status: 0 on success, 1 if the server refused or could not be reached, 2 on bad usage.\n");
}
