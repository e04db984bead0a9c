/*
 * cmd_catalog.c: `bss catalog export|import`, a client of the running
 * server's admin API (GET /admin/v1/catalog/export, POST
 * /admin/v1/catalog/import?dryRun=) over libcurl, like `bss key`: the server
 * owns the store and the compiled catalog while it runs. The server's
 * address comes from --url or from the configuration (--listen, file,
 * environment); the admin key from --key or <data-dir>/admin.key.
 * The file format and the import rules are in docs/catalog.md.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/config.h"
#include "core/mem.h"

#define MAX_ANSWER (256 << 20)
#define MAX_FILE (256 << 20)

typedef struct cat_opts {
    bss_cli_client client;
    const char *output;
    bool dry_run;
} cat_opts;

static int do_export(const cat_opts *o)
{
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "GET", "/admin/v1/catalog/export", NULL, 0, &a);
    if (st != 200) {
        int rc = bss_cli_report_error(&o->client, st, &a);
        bss_cli_answer_free(&a);
        return rc;
    }
    FILE *out = o->output ? fopen(o->output, "w") : stdout;
    if (out == NULL) {
        fprintf(stderr, "bss catalog: cannot write %s: %s\n", o->output, strerror(errno));
        bss_cli_answer_free(&a);
        return 1;
    }
    bool ok = fwrite(a.data, 1, a.len, out) == a.len;
    ok = (o->output ? fclose(out) == 0 : fflush(out) == 0) && ok;
    bss_cli_answer_free(&a);
    if (!ok)
        fprintf(stderr, "bss catalog: writing the export failed: %s\n", strerror(errno));
    return ok ? 0 : 1;
}

static void print_report(const json_t *rep)
{
    bool dry = json_is_true(json_object_get(rep, "dryRun"));
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(rep, "created"), i, e)
        printf("%s %-22s %s\n", dry ? "would create" : "created",
               json_string_value(json_object_get(e, "kind")), json_string_value(json_object_get(e, "id")));
    json_array_foreach(json_object_get(rep, "updated"), i, e)
    {
        printf("%s %-22s %s:", dry ? "would update" : "updated",
               json_string_value(json_object_get(e, "kind")), json_string_value(json_object_get(e, "id")));
        size_t k;
        const json_t *c;
        json_array_foreach(json_object_get(e, "changes"), k, c)
            printf("%s%s", k ? ", " : " ", json_string_value(c));
        printf("\n");
    }
    printf("%s: %zu created, %zu updated, %lld unchanged\n", dry ? "dry run (nothing written)" : "imported",
           json_array_size(json_object_get(rep, "created")), json_array_size(json_object_get(rep, "updated")),
           (long long)json_integer_value(json_object_get(rep, "unchanged")));
}

static int do_import(const cat_opts *o, const char *file)
{
    size_t len = 0;
    char *body = bss_cli_read_file(&o->client, file, MAX_FILE, &len);
    if (body == NULL)
        return 1;
    json_error_t jerr;
    json_t *check = json_loadb(body, len, 0, &jerr);
    if (check == NULL) {
        fprintf(stderr, "bss catalog: %s is not JSON: line %d, column %d: %s\n", file, jerr.line, jerr.column,
                jerr.text);
        bss_free(body);
        return 1;
    }
    json_decref(check);
    bss_cli_answer a = {0};
    long st = bss_cli_call(&o->client, "POST",
                           o->dry_run ? "/admin/v1/catalog/import?dryRun=true" : "/admin/v1/catalog/import",
                           body, len, &a);
    bss_free(body);
    json_t *rep = (st == 200 && a.data) ? json_loads(a.data, 0, NULL) : NULL;
    int rc = 0;
    if (rep != NULL)
        print_report(rep);
    else
        rc = bss_cli_report_error(&o->client, st, &a);
    json_decref(rep);
    bss_cli_answer_free(&a);
    return rc;
}

int bss_cmd_catalog(int argc, char **argv)
{
    static cat_opts o;
    memset(&o, 0, sizeof o);
    o.client.cmd = "bss catalog";
    o.client.timeout_s = 600;
    o.client.max_answer = MAX_ANSWER;
    const char *url = NULL, *key = NULL;
    const bss_cli_flag flags[] = {{"--url", &url, NULL},
                                  {"--key", &key, NULL},
                                  {"--output", &o.output, NULL},
                                  {"--dry-run", NULL, &o.dry_run}};
    bss_config cfg;
    int rest = 0;
    char **rest_argv = NULL;
    if (bss_cli_args(o.client.cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &cfg, &rest, &rest_argv) != 0)
        return 2;
    const char *sub = rest >= 1 ? rest_argv[0] : NULL;
    bool is_export = sub && strcmp(sub, "export") == 0 && rest == 1 && !o.dry_run;
    bool is_import = sub && strcmp(sub, "import") == 0 && rest == 2 && !o.output;
    if (!is_export && !is_import) {
        if (sub)
            fprintf(stderr, "bss catalog: unknown or incomplete subcommand '%s'\n\n", sub);
        bss_cmd_catalog_help(stderr);
        return 2;
    }
    if (bss_cli_connect(&o.client, &cfg, url, key) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int status = is_export ? do_export(&o) : do_import(&o, rest_argv[1]);
    curl_global_cleanup();
    return status;
}

void bss_cmd_catalog_help(FILE *out)
{
    fprintf(out,
            "usage: bss catalog export [--output FILE] [options] > catalog.json\n"
            "       bss catalog import FILE [--dry-run] [options]\n\n"
            "Moves the whole product catalog (zone tables, time-band plans, specifications,\n"
            "prices, categories, offerings, catalogs, promotions) in and out of the running\n"
            "server as one JSON file (format \"bss-catalog/1\", see docs/catalog.md).\n\n"
            "export   prints the catalog: documents ordered by id, server-managed members\n"
            "         (href, lastUpdate) left out, so two exports of the same catalog are\n"
            "         identical and a changed one diffs cleanly.\n"
            "import   makes the server's catalog match FILE (\"-\" reads standard input):\n"
            "         creates what is missing (with the file's ids), updates what differs,\n"
            "         leaves the rest; importing the same file twice changes nothing. All or\n"
            "         nothing: an invalid document fails the whole import, naming its kind,\n"
            "         id and the field (\"productOfferings[3].productOfferingPrice[0].id\").\n"
            "         Prints what was created and updated (with the changed members).\n\n"
            "  --dry-run     import: show what would change, write nothing\n"
            "  --output FILE export: write FILE instead of standard output\n"
            "  --url URL     the server (default http://<listen> from the configuration)\n"
            "  --key KEY     an admin key (default: the contents of <data-dir>/admin.key)\n"
            "  --data-dir, --listen, --config and the other configuration flags of\n"
            "  `bss help serve` are read too, to find the server and admin.key.\n"
            "A file larger than the server's --max-body (1 MiB by default) is refused (413).\n\n"
            "Exit status: 0 on success, 1 if the server refused or could not be reached, 2 on bad usage.\n");
}
