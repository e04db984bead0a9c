/*
 * cmd_order.c: `bss order overdue|tasks`, a client of the running server
 * (GET /api/v1/orders/overdue, GET {TMF622}/productOrder/{id}/tasks) like
 * `bss customer`: open orders past their SLA for the operations desk, and
 * the provisioning steps of one order. docs/orders.md, docs/provisioning.md.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/config.h"
#include "core/mem.h"

typedef struct order_opts {
    bss_cli_client client;
    const char *limit;
    bool json;
} order_opts;

static int overdue(order_opts *o)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/orders/overdue?limit=%s", o->limit ? o->limit : "100");
    for (const char *p = o->limit; p && *p; p++)
        if (*p < '0' || *p > '9') {
            fprintf(stderr, "bss order: --limit takes a number 1..1000\n");
            return 2;
        }
    json_t *v = NULL;
    int rc = bss_cli_get_json(&o->client, path, o->json, &v);
    if (rc)
        return rc < 0 ? 0 : rc;
    json_t *list = json_object_get(v, "orders");
    printf("%lld open orders past their expected completion\n",
           (long long)json_integer_value(json_object_get(v, "total")));
    if (json_array_size(list) > 0)
        printf("%-38s %-12s %-22s %-24s %s\n", "order", "category", "state", "expected", "overdue");
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        long long mins = (long long)json_integer_value(json_object_get(e, "overdueMinutes"));
        printf("%-38s %-12s %-22s %-24s %lldh%02lld\n", json_string_value(json_object_get(e, "id")),
               json_string_value(json_object_get(e, "category")) ?: "", json_string_value(json_object_get(e, "state")) ?: "",
               json_string_value(json_object_get(e, "expectedCompletionDate")) ?: "", mins / 60, mins % 60);
    }
    json_decref(v);
    return 0;
}

static int tasks(order_opts *o, const char *id)
{
    char path[256];
    size_t n = (size_t)snprintf(path, sizeof path, "/tmf-api/productOrderingManagement/v4/productOrder/");
    for (const char *p = id; *p && n + 1 < sizeof path; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))) {
            fprintf(stderr, "bss order: %s is not an order id\n", id);
            return 2;
        }
        path[n++] = *p;
    }
    snprintf(path + n, sizeof path - n, "/tasks");
    json_t *v = NULL;
    int rc = bss_cli_get_json(&o->client, path, o->json, &v);
    if (rc)
        return rc < 0 ? 0 : rc;
    printf("%4s %-6s %-28s %-9s %s\n", "seq", "item", "step", "state", "tries");
    size_t i;
    json_t *t;
    json_array_foreach(v, i, t)
    {
        printf("%4lld %-6s %-28s %-9s %lld", (long long)json_integer_value(json_object_get(t, "seq")),
               json_string_value(json_object_get(t, "itemId")) ?: "", json_string_value(json_object_get(t, "type")) ?: "",
               json_string_value(json_object_get(t, "state")) ?: "", (long long)json_integer_value(json_object_get(t, "attempts")));
        const char *err = json_string_value(json_object_get(t, "error"));
        if (err)
            printf("  %s", err);
        printf("\n");
    }
    json_decref(v);
    return 0;
}

static int run_overdue(void *o, char **args)
{
    (void)args;
    return overdue(o);
}

static int run_tasks(void *o, char **args)
{
    return tasks(o, args[0]);
}

int bss_cmd_order(int argc, char **argv)
{
    static order_opts o;
    memset(&o, 0, sizeof o);
    o.client.cmd = "bss order";
    o.client.timeout_s = 60;
    o.client.max_answer = 16 << 20;
    const char *url = NULL, *key = NULL;
    const bss_cli_flag flags[] = {{"--url", &url, NULL}, {"--key", &key, NULL}, {"--limit", &o.limit, NULL},
                                  {"--json", NULL, &o.json}};
    bss_config cfg;
    int rest = 0;
    char **rest_argv = NULL;
    if (bss_cli_args(o.client.cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &cfg, &rest, &rest_argv) != 0)
        return 2;
    static const bss_cli_sub subs[] = {{"overdue", 0, run_overdue}, {"tasks", 1, run_tasks}};
    return bss_cli_dispatch(&o.client, &cfg, url, key, rest, rest_argv, subs, sizeof subs / sizeof subs[0], &o,
                            bss_cmd_order_help);
}

void bss_cmd_order_help(FILE *out)
{
    fprintf(out,
            "usage: bss order overdue [--limit N] [--json] [options]\n"
            "       bss order tasks ORDER_ID [--json] [options]\n\n"
            "Product orders of the running server (docs/orders.md).\n\n"
            "overdue  open orders past their expected completion (the SLA of their category:\n"
            "         newLine 2 h, change 1 h, termination 4 h), the most overdue first.\n"
            "tasks    the provisioning steps of one order: state, tries, the last error.\n\n"
            "  --limit N   overdue: at most N orders (1..1000, default 100)\n"
            "  --json      print the server's JSON\n"
            "  --url URL   the server (default http://<listen> from the configuration)\n"
            "  --key KEY   a key (default: the contents of <data-dir>/admin.key)\n\n"
            "Exit status: 0 on success, 1 if the server refused or could not be reached, 2 on bad usage.\n");
}
