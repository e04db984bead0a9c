/*
 * cmd_customer.c: `bss customer find TEXT` and `bss customer view ID`, the
 * care agent's two questions from a terminal, as clients of a running
 * bss serve (GET /api/v1/search, GET /api/v1/customers/{id}/view). On a
 * terminal they print a readable summary; --json (or a pipe with --json)
 * prints the server's JSON as it came.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/config.h"
#include "core/mem.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_find(const json_t *rows)
{
    if (json_array_size(rows) == 0) {
        printf("nobody found\n");
        return;
    }
    printf("%-36s  %-13s  %-30s  %s\n", "CUSTOMER", "KIND", "NAME", "MATCHED");
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *cust = json_string_value(json_object_get(r, "customerId"));
        printf("%-36s  %-13s  %-30.30s  %s", cust ? cust : "-", str(r, "kind"), str(r, "display"), str(r, "matched"));
        size_t n = json_array_size(json_object_get(r, "matches"));
        if (n > 1)
            printf("  (+%zu more)", n - 1);
        printf("\n");
    }
}

static void print_view(const json_t *v)
{
    const json_t *c = json_object_get(v, "customer"), *p = json_object_get(v, "party");
    printf("customer  %s  %s  (%s)\n", str(c, "id"), str(c, "name"), str(c, "status"));
    if (json_is_object(p)) {
        printf("party     %s  %s %s%s\n", str(p, "id"), str(p, "givenName"), str(p, "familyName"), str(p, "tradingName"));
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(p, "contactMedium"), i, m)
        {
            const json_t *ch = json_object_get(m, "characteristic");
            const char *what = str(ch, "phoneNumber")[0] ? str(ch, "phoneNumber") : str(ch, "emailAddress");
            if (what[0])
                printf("          %-8s %s\n", str(m, "mediumType"), what);
        }
    }
    const char *parts[] = {"accounts", "subscriptions", "openTickets", "lastInteractions"};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        const json_t *arr = json_object_get(v, parts[k]);
        printf("%s: %zu\n", parts[k], json_array_size(arr));
        size_t i;
        const json_t *e;
        json_array_foreach(arr, i, e)
        {
            const char *label = str(e, "name")[0] ? str(e, "name") : str(e, "reason")[0] ? str(e, "reason") : str(e, "description");
            const char *st = str(e, "status")[0] ? str(e, "status") : str(e, "state");
            printf("  %-36s  %-12s  %s\n", str(e, "id"), st, label);
        }
    }
}

int bss_cmd_customer(int argc, char **argv)
{
    bss_cli_client client = {.cmd = "bss customer", .timeout_s = 30, .max_answer = 16 << 20};
    const char *url = NULL, *key = NULL;
    bool json = false;
    const bss_cli_flag flags[] = {{"--url", &url, NULL}, {"--key", &key, NULL}, {"--json", NULL, &json}};
    bss_config cfg;
    int rest = 0;
    char **rest_argv = NULL;
    if (bss_cli_args(client.cmd, argc, argv, flags, sizeof flags / sizeof flags[0], &cfg, &rest, &rest_argv) != 0)
        return 2;
    bool find = rest == 2 && strcmp(rest_argv[0], "find") == 0;
    bool view = rest == 2 && strcmp(rest_argv[0], "view") == 0;
    if (!find && !view) {
        bss_cmd_customer_help(stderr);
        return 2;
    }
    if (bss_cli_connect(&client, &cfg, url, key) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *esc = curl_easy_init();
    char *arg = esc ? curl_easy_escape(esc, rest_argv[1], 0) : NULL;
    char path[1200];
    if (find)
        snprintf(path, sizeof path, "/api/v1/search?q=%s&limit=50", arg ? arg : "");
    else
        snprintf(path, sizeof path, "/api/v1/customers/%s/view", arg ? arg : "");
    curl_free(arg);
    curl_easy_cleanup(esc);
    json_t *v = NULL;
    int status = bss_cli_get_json(&client, path, json, &v);
    if (status == 0 && find)
        print_find(v);
    else if (status == 0)
        print_view(v);
    status = status < 0 ? 0 : status;
    json_decref(v);
    curl_global_cleanup();
    return status;
}

void bss_cmd_customer_help(FILE *out)
{
    fprintf(out, "usage: bss customer find TEXT [--json] [--url URL] [--key KEY]\n"
                 "       bss customer view CUSTOMER_ID [--json] [--url URL] [--key KEY]\n\n"
                 "The care agent's questions against a running bss serve:\n"
                 "  find TEXT   who is this? a name prefix, e-mail, phone (any common form), MSISDN,\n"
                 "              ICCID, account number or id; one line per person\n"
                 "  view ID     the one-call customer view: the customer, the person and how to\n"
                 "              reach them, accounts, subscriptions, open tickets, last interactions\n\n"
                 "  --json      print the server's JSON instead of the summary\n"
                 "  --url URL   the server (default http://<listen> from the configuration)\n"
                 "  --key KEY   an API key of a staff role (default <data-dir>/admin.key)\n\n"
                 "Exit status: 0, 1 when the server refuses or cannot be reached, 2 on bad usage.\n");
}
