/*
 * test_compile.c: the compiled catalog (catalog/compile.h). Compiling a
 * small MVNO catalog and reading it back (price chains, shared zone tables,
 * bundles, add-ons, versions as of an instant and by version), every
 * compile check with its error code and field path, loading from the store
 * (tables missing = empty, then migrated), the write-time check, rebuilds
 * (sync, and coalesced on the worker pool), and the holder under readers
 * spinning on acquire/lookup/release while a writer publishes 1,000
 * snapshots (run under ASan: no leak, no use after free).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "catalog/compile.h"
#include "catalog/rate.h"
#include "core/json.h"
#include "core/log.h"
#include "db/dbtest.h"
#include "db/migrate.h"

#define EUR(v) "{\"unit\":\"EUR\",\"value\":" v "}"

/* The base fixture; tests patch pieces of it. */
static const char *const base_src =
    "{\"zoneTables\":[{\"id\":\"zt-nl\",\"name\":\"NL\",\"kind\":\"destination\",\"defaultZone\":\"world\","
    "\"zones\":["
    "  {\"name\":\"national\",\"prefixes\":[\"31\"]},{\"name\":\"premium\",\"prefixes\":[\"31900\"]},"
    "  {\"name\":\"world\",\"prefixes\":[]}]}],"
    " \"timeBandPlans\":[{\"id\":\"tb-flat\",\"name\":\"all day\",\"timeZone\":\"UTC\",\"bands\":["
    "  "
    "{\"name\":\"any\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"],\"from\":\"00:00\","
    "\"to\":\"24:00\"}]}],"
    " \"specifications\":[{\"id\":\"spec-mobile\",\"lifecycleStatus\":\"Active\"},"
    "  {\"id\":\"spec-old\",\"lifecycleStatus\":\"Retired\"}],"
    " \"prices\":["
    "  {\"id\":\"pop-fee\",\"priceType\":\"oneTime\",\"price\":" EUR(
        "10") "},"
              "  {\"id\":\"pop-month\",\"priceType\":\"recurring\",\"price\":" EUR(
                  "20") ",\"recurringChargePeriodType\":\"month\"},"
                        "  "
                        "{\"id\":\"pop-voice\",\"priceType\":\"usage\",\"unitOfMeasure\":{\"amount\":1,"
                        "\"units\":\"minute\"},\"price\":" EUR(
                            "0.10") "   "
                                    ",\"usage\":{\"service\":\"voice\",\"increments\":{\"first\":60,\"next\":"
                                    "60},\"zoneTableId\":\"zt-nl\","
                                    "   "
                                    "\"timeBandPlanId\":\"tb-flat\",\"rates\":[{\"zone\":\"premium\","
                                    "\"price\":" EUR(
                                        "1") "}]}},"
                                             "  "
                                             "{\"id\":\"pop-data\",\"priceType\":\"allowance\",\"allowance\":"
                                             "{\"service\":\"data\",\"amount\":{\"amount\":5,\"units\":"
                                             "\"GB\"}}},"
                                             "  "
                                             "{\"id\":\"pop-half\",\"priceType\":\"discount\",\"percentage\":"
                                             "50,\"applicationDuration\":{\"cycles\":3}},"
                                             "  "
                                             "{\"id\":\"pop-gone\",\"priceType\":\"oneTime\","
                                             "\"lifecycleStatus\":\"Retired\",\"price\":" EUR(
                                                 "1") "}],"
                                                      " \"offerings\":["
                                                      "  "
                                                      "{\"id\":\"po-base\",\"name\":\"Base\",\"version\":"
                                                      "\"2\",\"lifecycleStatus\":\"Active\","
                                                      "   \"productSpecification\":{\"id\":\"spec-mobile\"},"
                                                      "   "
                                                      "\"productOfferingPrice\":[{\"id\":\"pop-fee\"},{"
                                                      "\"id\":\"pop-month\"},{\"id\":\"pop-voice\"},{\"id\":"
                                                      "\"pop-data\"},"
                                                      "   {\"id\":\"pop-half\"}]},"
                                                      "  {\"id\":\"po-addon\",\"name\":\"Data "
                                                      "add-on\",\"productOfferingRelationship\":[{\"id\":"
                                                      "\"po-base\","
                                                      "   "
                                                      "\"relationshipType\":\"addOnTo\"}],"
                                                      "\"productOfferingPrice\":[{\"id\":\"pop-data\"}]},"
                                                      "  "
                                                      "{\"id\":\"po-bundle\",\"name\":\"Bundle\","
                                                      "\"isBundle\":true,\"bundledProductOffering\":[{\"id\":"
                                                      "\"po-base\"},{\"id\":\"po-addon\"}]}],"
                                                      " \"promotions\":[{\"id\":\"promo-1\"}],"
                                                      " \"versions\":[{\"kind\":\"productOffering\",\"id\":"
                                                      "\"po-base\",\"version\":1,\"validFrom\":0,\"validTo\":"
                                                      "1000,"
                                                      "   \"doc\":{\"id\":\"po-base\",\"name\":\"Base "
                                                      "v1\",\"version\":\"1\",\"productOfferingPrice\":[{"
                                                      "\"id\":\"pop-fee\"}]}}]}";

static json_t *parse(const char *text)
{
    json_t *v = NULL;
    bss_errinfo ei;
    if (bss_json_parse(text, strlen(text), &v, &ei) != BSS_OK)
        fail_msg("bad JSON: %s", ei.message);
    return v;
}

/* Fills src from the fixture; patch (may be NULL) is a JSON object of arrays replacing the fixture's. */
static void make_source(bss_catalog_source *src, const char *patch)
{
    json_t *all = parse(base_src);
    if (patch) {
        json_t *p = parse(patch);
        json_object_update(all, p);
        json_decref(p);
    }
    src->zone_tables = json_incref(json_object_get(all, "zoneTables"));
    src->timeband_plans = json_incref(json_object_get(all, "timeBandPlans"));
    src->specifications = json_incref(json_object_get(all, "specifications"));
    src->prices = json_incref(json_object_get(all, "prices"));
    src->offerings = json_incref(json_object_get(all, "offerings"));
    src->promotions = json_incref(json_object_get(all, "promotions"));
    src->versions = json_incref(json_object_get(all, "versions"));
    json_decref(all);
}

static bss_catalog *compile_ok(const char *patch)
{
    bss_catalog_source src;
    make_source(&src, patch);
    bss_catalog *cat = NULL;
    bss_errinfo ei;
    if (bss_catalog_compile(&src, &cat, &ei) != BSS_OK)
        fail_msg("compile: %s (%s)", ei.message, ei.field);
    bss_catalog_source_clear(&src);
    return cat;
}

static void compile_bad(const char *patch, bss_err code, const char *field, const char *needle)
{
    bss_catalog_source src;
    make_source(&src, patch);
    bss_catalog *cat = NULL;
    bss_errinfo ei;
    bss_errinfo_clear(&ei);
    bss_err rc = bss_catalog_compile(&src, &cat, &ei);
    bss_catalog_source_clear(&src);
    if (rc != code || strcmp(ei.field, field) != 0 || !strstr(ei.message, needle))
        fail_msg("want %s at '%s' ('%s'), got %s at '%s': %s", bss_errname(code), field, needle,
                 bss_errname(rc), ei.field, ei.message);
    assert_null(cat);
}

static void test_compile_and_read(void **state)
{
    (void)state;
    bss_catalog *cat = compile_ok(NULL);
    assert_int_equal(bss_catalog_offering_count(cat), 3);
    const bss_offering *o = bss_catalog_offering(cat, "po-base", 5000);
    assert_non_null(o);
    assert_string_equal(bss_offering_name(o), "Base");
    assert_string_equal(bss_offering_version(o), "2");
    assert_string_equal(bss_offering_lifecycle(o), "Active");
    assert_int_equal(bss_offering_price_count(o), 5);
    assert_false(bss_offering_is_bundle(o));
    assert_string_equal(json_string_value(json_object_get(bss_offering_doc(o), "id")), "po-base");
    /* the price chain */
    int64_t fee = 0;
    assert_int_equal(
        bss_rate_one_time(bss_offering_find_price(o, BSS_PRICE_ONE_TIME, BSS_SERVICE_NONE), &fee), BSS_OK);
    assert_int_equal(fee, 10000000);
    assert_non_null(bss_offering_find_price(o, BSS_PRICE_RECURRING, BSS_SERVICE_NONE));
    assert_non_null(bss_offering_find_price(o, BSS_PRICE_ALLOWANCE, BSS_SERVICE_DATA));
    assert_null(bss_offering_find_price(o, BSS_PRICE_ALLOWANCE, BSS_SERVICE_VOICE));
    assert_non_null(bss_offering_find_price(o, BSS_PRICE_DISCOUNT, BSS_SERVICE_NONE));
    const bss_price *voice = bss_offering_find_price(o, BSS_PRICE_USAGE, BSS_SERVICE_VOICE);
    assert_ptr_equal(voice, bss_catalog_price(cat, "pop-voice", 0));
    /* the zone table compiled once and resolved: a premium call, 61 s -> 2 min at 1.00 = 2.00 */
    bss_usage_event ev = {.quantity = 61, .destination = "319001", .destination_len = 6, .rating_group = -1};
    bss_usage_charge ch;
    assert_int_equal(bss_rate_usage(voice, &ev, &ch), BSS_OK);
    assert_int_equal(ch.charge_micros, 2000000);
    assert_string_equal(ch.zone, "premium");
    assert_string_equal(ch.band, "any");
    assert_non_null(bss_catalog_zone_table(cat, "zt-nl"));
    assert_null(bss_catalog_zone_table(cat, "zt-none"));
    assert_non_null(bss_catalog_timeband_plan(cat, "tb-flat"));
    assert_null(bss_catalog_timeband_plan(cat, "tb-none"));
    /* bundles */
    const bss_offering *b = bss_catalog_offering(cat, "po-bundle", 5000);
    assert_true(bss_offering_is_bundle(b));
    assert_int_equal(bss_offering_bundled_count(b), 2);
    assert_string_equal(bss_offering_id(bss_offering_bundled(b, 1)), "po-addon");
    assert_null(bss_offering_bundled(b, 2));
    assert_null(bss_offering_price(b, 0));
    /* versions: v1 was valid [0, 1000); the current one (no validFor) takes over at 1000 */
    o = bss_catalog_offering(cat, "po-base", 500);
    assert_string_equal(bss_offering_version(o), "1");
    assert_string_equal(bss_offering_version(bss_catalog_offering(cat, "po-base", 1000)), "2");
    assert_null(bss_catalog_offering(cat, "po-base", -1));
    o = bss_catalog_offering_version(cat, "po-base", "1");
    assert_non_null(o);
    assert_string_equal(bss_offering_name(o), "Base v1");
    assert_int_equal(bss_offering_price_count(o), 1);
    assert_int_equal(bss_offering_valid_from(o), 0);
    assert_int_equal(bss_offering_valid_to(o), 1000);
    assert_null(bss_catalog_offering_version(cat, "po-base", "7"));
    assert_null(bss_catalog_offering(cat, "po-none", 0));
    assert_int_equal(json_array_size(bss_catalog_promotions(cat)), 1);
    assert_int_equal(bss_catalog_generation(cat), 0);
    bss_catalog_free(cat);
    bss_catalog_free(NULL);
}

static void test_versions_as_of(void **state)
{
    (void)state;
    /* the current version starts at t=1000 (a price change effective from a date); v1 held before */
    bss_catalog *cat = compile_ok(
        "{\"offerings\":[{\"id\":\"po-base\",\"name\":\"Base "
        "v2\",\"version\":\"2\",\"validFor\":{\"startDateTime\":"
        "\"1970-01-01T00:00:01Z\"},\"productOfferingPrice\":[{\"id\":\"pop-new\"}]}],"
        "\"prices\":[{\"id\":\"pop-new\",\"priceType\":\"recurring\",\"price\":" EUR(
            "25") ",\"recurringChargePeriodType\":\"month\"},"
                  "  {\"id\":\"pop-fee\",\"priceType\":\"recurring\",\"price\":" EUR(
                      "30") ",\"recurringChargePeriodType\":\"month\","
                            "   \"validFor\":{\"startDateTime\":\"1970-01-01T00:00:01Z\"}}],"
                            "\"versions\":[{\"kind\":\"productOffering\",\"id\":\"po-base\",\"version\":1,"
                            "\"validFrom\":0,\"validTo\":1000,"
                            "   \"doc\":{\"id\":\"po-base\",\"name\":\"Base "
                            "v1\",\"productOfferingPrice\":[{\"id\":\"pop-fee\"}]}},"
                            "  "
                            "{\"kind\":\"productOfferingPrice\",\"id\":\"pop-fee\",\"version\":1,"
                            "\"validFrom\":0,\"validTo\":1000,"
                            "   \"doc\":{\"id\":\"pop-fee\",\"priceType\":\"recurring\",\"price\":" EUR(
                                "20") ",\"recurringChargePeriodType\":\"month\"}}]}");
    const bss_offering *o = bss_catalog_offering(cat, "po-base", 999);
    assert_string_equal(bss_offering_name(o), "Base v1");
    assert_string_equal(bss_offering_version(o), "1"); /* no version member: the row's number */
    /* the old offering resolves its price as of its own start: pop-fee v1, 20.00 (grandfathered) */
    assert_int_equal(bss_price_amount_micros(bss_offering_price(o, 0)), 20000000);
    /* the same price as of a later instant: its newer version, 30.00 */
    assert_int_equal(bss_price_amount_micros(bss_offering_price_at(cat, o, 0, 1500)), 30000000);
    assert_int_equal(bss_price_amount_micros(bss_offering_price_at(cat, o, 0, 10)), 20000000);
    assert_null(bss_offering_price_at(cat, o, 1, 10));
    o = bss_catalog_offering(cat, "po-base", 1000);
    assert_string_equal(bss_offering_name(o), "Base v2");
    assert_int_equal(bss_price_amount_micros(bss_offering_price(o, 0)), 25000000);
    assert_null(bss_catalog_offering(cat, "po-base", -1));
    assert_int_equal(bss_price_amount_micros(bss_catalog_price(cat, "pop-fee", 10)), 20000000);
    assert_int_equal(bss_price_amount_micros(bss_catalog_price(cat, "pop-fee", 1000)), 30000000);
    assert_int_equal(bss_catalog_offering_count(cat), 1);
    bss_catalog_free(cat);
}

static void test_bundle_prices(void **state)
{
    (void)state;
    /* a bundle price (isBundle) is not rated itself: the offering gets its components */
    const char *prices = "\"prices\":[{\"id\":\"pop-fee\",\"priceType\":\"oneTime\",\"price\":" EUR(
        "10") "},"
              "{\"id\":\"pop-month\",\"priceType\":\"recurring\",\"price\":" EUR(
                  "20") ",\"recurringChargePeriodType\":\"month\"},"
                        "{\"id\":\"pop-pack\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":\"pop-"
                        "fee\"},"
                        "{\"id\":\"pop-month\"}]}";
    char patch[1024];
    snprintf(patch, sizeof patch,
             "{%s], \"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-pack\"}]}]}",
             prices);
    bss_catalog *cat = compile_ok(patch);
    const bss_offering *o = bss_catalog_offering(cat, "a", 0);
    assert_int_equal(bss_offering_price_count(o), 2);
    assert_int_equal(bss_price_kind(bss_offering_price(o, 0)), BSS_PRICE_ONE_TIME);
    assert_int_equal(bss_price_kind(bss_offering_price(o, 1)), BSS_PRICE_RECURRING);
    assert_null(bss_catalog_price(cat, "pop-pack", 0));
    bss_catalog_free(cat);
    compile_bad("{\"prices\":[{\"id\":\"pop-pack\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":"
                "\"pop-x\"}]}],"
                "\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-pack\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[0].id", "no productOfferingPrice 'pop-x'");
    compile_bad("{\"prices\":[{\"id\":\"p1\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":\"p2\"}]},"
                "{\"id\":\"p2\",\"isBundle\":true,\"bundledPopRelationship\":[{\"id\":\"p1\"}]}],"
                "\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"p1\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[0].id", "deeper than 8");
}

static void test_compile_errors(void **state)
{
    (void)state;
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-fee\"},{\"id\":\"pop-"
                "nope\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[1].id", "no productOfferingPrice 'pop-nope'");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"id\":\"pop-gone\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingPrice[0].id", "retired");
    /* a retired offering may keep its retired price */
    bss_catalog_free(compile_ok("{\"offerings\":[{\"id\":\"a\",\"lifecycleStatus\":\"Retired\","
                                "\"productOfferingPrice\":[{\"id\":\"pop-gone\"}]}]}"));
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingPrice\":[{\"name\":\"x\"}]}]}", BSS_E_INVALID,
                "productOfferingPrice[0].id", "required");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productSpecification\":{\"id\":\"spec-x\"}}]}",
                BSS_E_UNPROCESSABLE, "productSpecification.id", "no productSpecification");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productSpecification\":{\"id\":\"spec-old\"}}]}",
                BSS_E_UNPROCESSABLE, "productSpecification.id", "retired");
    /* bundle cycles: a -> b -> a, and a -> a */
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"bundledProductOffering\":[{\"id\":\"b\"}]},"
                "{\"id\":\"b\",\"bundledProductOffering\":[{\"id\":\"c\"},{\"id\":\"a\"}]},{\"id\":\"c\"}]}",
                BSS_E_UNPROCESSABLE, "bundledProductOffering[1].id", "bundle cycle");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"bundledProductOffering\":[{\"id\":\"a\"}]}]}",
                BSS_E_UNPROCESSABLE, "bundledProductOffering[0].id", "bundle cycle");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"bundledProductOffering\":[{\"id\":\"zz\"}]}]}",
                BSS_E_UNPROCESSABLE, "bundledProductOffering[0].id", "no productOffering 'zz'");
    /* add-ons: to a missing, a retired, an add-on base; "requires" a missing one */
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"zz\","
                "\"relationshipType\":\"addOnTo\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingRelationship[0].id", "no productOffering 'zz'");
    compile_bad(
        "{\"offerings\":[{\"id\":\"b\",\"lifecycleStatus\":\"Retired\"},"
        "{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"b\",\"relationshipType\":\"addonto\"}]}]}",
        BSS_E_UNPROCESSABLE, "productOfferingRelationship[0].id", "no compatible base");
    compile_bad(
        "{\"offerings\":[{\"id\":\"b\"},{\"id\":\"c\",\"productOfferingRelationship\":[{\"id\":\"b\","
        "\"relationshipType\":\"addOnTo\"}]},"
        "{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"x\",\"relationshipType\":\"excludes\"},"
        "{\"id\":\"c\",\"relationshipType\":\"addOnTo\"}]}]}",
        BSS_E_UNPROCESSABLE, "productOfferingRelationship[1].id", "itself an add-on");
    compile_bad("{\"offerings\":[{\"id\":\"a\",\"productOfferingRelationship\":[{\"id\":\"zz\","
                "\"relationshipType\":\"requires\"}]}]}",
                BSS_E_UNPROCESSABLE, "productOfferingRelationship[0].id", "zz");
    /* prices, tables and plans that do not build name their document */
    compile_bad(
        "{\"prices\":[{\"id\":\"p1\",\"priceType\":\"oneTime\",\"price\":" EUR("-1") "}],\"offerings\":[]}",
        BSS_E_UNPROCESSABLE, "price.value", "productOfferingPrice p1");
    compile_bad("{\"prices\":[{\"id\":\"p1\",\"priceType\":\"usage\",\"price\":" EUR(
                    "1") ",\"usage\":{\"service\":\"sms\","
                         "\"zoneTableId\":\"zt-missing\"}}],\"offerings\":[]}",
                BSS_E_UNPROCESSABLE, "usage.zoneTableId", "zt-missing");
    compile_bad("{\"zoneTables\":[{\"id\":\"z1\",\"kind\":\"destination\",\"zones\":[{\"name\":\"a\","
                "\"prefixes\":[\"31\"]},"
                "{\"name\":\"b\",\"prefixes\":[\"31\"]}]}],\"prices\":[],\"offerings\":[]}",
                BSS_E_UNPROCESSABLE, "zones[1].prefixes[0]", "zoneTable z1");
    compile_bad("{\"timeBandPlans\":[{\"id\":\"t1\",\"timeZone\":\"UTC\",\"bands\":[{\"name\":\"a\",\"days\":"
                "[\"mon\"],"
                "\"from\":\"00:00\",\"to\":\"24:00\"}]}],\"prices\":[],\"offerings\":[]}",
                BSS_E_UNPROCESSABLE, "bands", "timeBandPlan t1");
    compile_bad("{\"offerings\":[{\"name\":\"no id\"}]}", BSS_E_UNPROCESSABLE, "id", "no id");
}

static void test_compile_oom(void **state)
{
    (void)state;
    bss_catalog_source src;
    make_source(&src, NULL);
    int n;
    for (n = 1; n < 2000; n++) {
        bss_catalog *cat = NULL;
        bss_mem_fail_after(n, 1);
        bss_err rc = bss_catalog_compile(&src, &cat, NULL);
        bss_mem_fail_after(0, 0);
        if (rc == BSS_OK) {
            bss_catalog_free(cat);
            break;
        }
        assert_int_equal(rc, BSS_E_NOMEM);
    }
    assert_true(n < 2000);
    bss_catalog_source_clear(&src);
}

/* ---- the holder under concurrent readers ---- */

typedef struct race {
    bss_catalog_holder *h;
    atomic_int done;
    atomic_long reads;
    atomic_int failures;
} race;

/* cmocka's asserts may not run off the main thread: count failures instead. */
#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "reader check failed line %d: %s\n", __LINE__, #cond);                           \
            atomic_fetch_add(&r->failures, 1);                                                               \
        }                                                                                                    \
    } while (0)

static void *reader(void *arg)
{
    race *r = arg;
    uint64_t last = 0;
    long reads = 0;
    while (!atomic_load(&r->done)) {
        const bss_catalog *cat = bss_catalog_acquire(r->h);
        if (!cat)
            continue;
        uint64_t gen = bss_catalog_generation(cat);
        CHECK(gen >= last); /* never back in time */
        last = gen;
        const bss_offering *o = bss_catalog_offering(cat, "po-base", 5000);
        CHECK(o != NULL);
        CHECK(o && bss_offering_price_count(o) == 5);
        if (reads % 7 == 0) { /* nested: sees the same snapshot */
            const bss_catalog *inner = bss_catalog_acquire(r->h);
            CHECK(inner == cat);
            bss_catalog_release(r->h, inner);
        }
        bss_catalog_release(r->h, cat);
        reads++;
    }
    atomic_fetch_add(&r->reads, reads);
    return NULL;
}

static void test_holder_race(void **state)
{
    (void)state;
    race r = {.h = bss_catalog_holder_create()};
    assert_non_null(r.h);
    assert_null(bss_catalog_acquire(r.h)); /* nothing published yet */
    bss_catalog_release(r.h, NULL);
    bss_catalog_source src;
    make_source(&src, NULL);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, &r), 0);
    for (int i = 0; i < 1000; i++) {
        bss_catalog *cat = NULL;
        assert_int_equal(bss_catalog_compile(&src, &cat, NULL), BSS_OK);
        bss_catalog_publish(r.h, cat);
    }
    atomic_store(&r.done, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    const bss_catalog *cat = bss_catalog_acquire(r.h);
    assert_int_equal(bss_catalog_generation(cat), 1000);
    bss_catalog_release(r.h, cat);
    assert_true(atomic_load(&r.reads) > 0);
    assert_int_equal(atomic_load(&r.failures), 0);
    bss_catalog_source_clear(&src);
    bss_catalog_holder_destroy(r.h);
    bss_catalog_holder_destroy(NULL);
}

/* ---- store ---- */

static void insert_doc(bss_db *db, const char *sql, const char *id, const char *doc)
{
    bss_errinfo ei;
    if (bss_db_exec(db, sql, BSS_DB_ARGS(BSS_DB_STR(id), BSS_DB_STR(doc)), NULL, &ei) != BSS_OK)
        fail_msg("insert: %s", ei.message);
}

#define INS_PRICE                                                                                            \
    "INSERT INTO tmf620_product_offering_price (id, doc, created_ms, updated_ms, row_version) VALUES (?, "   \
    "?, 0, 0, 1)"
#define INS_OFFER                                                                                            \
    "INSERT INTO tmf620_product_offering (id, doc, created_ms, updated_ms, row_version) VALUES (?, ?, 0, "   \
    "0, 1)"

static void test_store(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    /* before any migration: every table missing reads as empty */
    bss_catalog_source src;
    bss_catalog_source_init(&src);
    assert_int_equal(bss_catalog_load(env->db, &src, &ei), BSS_OK);
    assert_int_equal(json_array_size(src.offerings), 0);
    bss_catalog_source_clear(&src);
    bss_catalog_source_clear(&src);

    assert_int_equal(bss_db_migrate(env->db, 0, NULL, &ei), BSS_OK);
    insert_doc(env->db, INS_PRICE, "pop-1",
               "{\"id\":\"pop-1\",\"priceType\":\"oneTime\",\"price\":" EUR("5") "}");
    insert_doc(env->db, INS_OFFER, "po-1",
               "{\"id\":\"po-1\",\"name\":\"One\",\"productOfferingPrice\":[{\"id\":\"pop-1\"}]}");
    assert_int_equal(
        bss_db_exec(env->db,
                    "INSERT INTO tmf620_version (kind, id, version, valid_from_ms, valid_to_ms, doc) "
                    "VALUES ('productOffering', 'po-1', 1, 0, 100, ?)",
                    BSS_DB_ARGS(BSS_DB_STR("{\"id\":\"po-1\",\"name\":\"Old one\"}")), NULL, &ei),
        BSS_OK);

    /* the write-time check: a new offering naming a missing price is refused with its field */
    json_t *doc =
        parse("{\"name\":\"Two\",\"productOfferingPrice\":[{\"id\":\"pop-1\"},{\"id\":\"pop-9\"}]}");
    assert_int_equal(bss_catalog_check_write(env->db, "productOffering", "po-2", doc, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "productOfferingPrice[1].id");
    assert_non_null(strstr(ei.message, "po-2"));
    json_array_remove(json_object_get(doc, "productOfferingPrice"), 1);
    assert_int_equal(bss_catalog_check_write(env->db, "productOffering", "po-2", doc, &ei), BSS_OK);
    json_decref(doc);
    /* deleting a price in use, and replacing it with a bad one */
    assert_int_equal(bss_catalog_check_write(env->db, "productOfferingPrice", "pop-1", NULL, &ei),
                     BSS_E_UNPROCESSABLE);
    assert_string_equal(ei.field, "productOfferingPrice[0].id");
    doc = parse("{\"priceType\":\"oneTime\",\"price\":{\"unit\":\"EUR\",\"value\":\"1.0000001\"}}");
    assert_int_equal(bss_catalog_check_write(env->db, "productOfferingPrice", "pop-1", doc, &ei),
                     BSS_E_INVALID);
    assert_string_equal(ei.field, "price.value");
    assert_int_equal(bss_catalog_check_write(env->db, "gizmo", "x", doc, &ei), BSS_E_INVALID);
    json_decref(doc);

    /* rebuild: creates the holder and publishes */
    bss_app app;
    memset(&app, 0, sizeof app);
    assert_int_equal(bss_catalog_rebuild_db(&app, env->db, &ei), BSS_OK);
    assert_non_null(app.catalog);
    const bss_catalog *cat = bss_catalog_acquire(app.catalog);
    assert_int_equal(bss_catalog_generation(cat), 1);
    assert_string_equal(bss_offering_name(bss_catalog_offering(cat, "po-1", 50)), "Old one");
    assert_string_equal(bss_offering_name(bss_catalog_offering(cat, "po-1", 500)), "One");
    bss_catalog_release(app.catalog, cat);

    /* coalesced async rebuilds on the pool: 20 calls in a row, a handful of rebuilds at most */
    assert_int_equal(bss_workers_start(env->url, NULL, 2, 64, &app.workers, &ei), BSS_OK);
    for (int i = 0; i < 20; i++)
        bss_catalog_rebuild_async(&app);
    bss_workers_stop(app.workers); /* runs the queue to the end */
    app.workers = NULL;
    cat = bss_catalog_acquire(app.catalog);
    uint64_t gen = bss_catalog_generation(cat);
    bss_catalog_release(app.catalog, cat);
    assert_true(gen >= 2 && gen <= 4);
    bss_catalog_rebuild_async(&app); /* no workers: logged, nothing happens */

    /* a broken catalog in the store: rebuild fails and the published snapshot stays */
    insert_doc(env->db, INS_OFFER, "po-3", "{\"id\":\"po-3\",\"productOfferingPrice\":[{\"id\":\"nope\"}]}");
    assert_int_equal(bss_catalog_rebuild_db(&app, env->db, &ei), BSS_E_UNPROCESSABLE);
    cat = bss_catalog_acquire(app.catalog);
    assert_int_equal(bss_catalog_generation(cat), gen);
    bss_catalog_release(app.catalog, cat);
    bss_catalog_holder_destroy(app.catalog);
}

#define STORE_TESTS(setup)                                                                                   \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_store, setup, dbtest_teardown)                                  \
    }

int main(void)
{
    bss_mem_init();
    bss_log_set_level(BSS_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_and_read), cmocka_unit_test(test_versions_as_of),
        cmocka_unit_test(test_compile_errors),   cmocka_unit_test(test_bundle_prices),
        cmocka_unit_test(test_compile_oom),      cmocka_unit_test(test_holder_race),
    };
    int failed = cmocka_run_group_tests_name("compile", tests, NULL, NULL);
    const struct CMUnitTest sqlite_tests[] = STORE_TESTS(dbtest_setup_sqlite);
    failed += cmocka_run_group_tests_name("store sqlite", sqlite_tests, NULL, NULL);
    const char *pg = getenv("BSS_TEST_PG_URL");
    if (pg && pg[0]) {
        const struct CMUnitTest pg_tests[] = STORE_TESTS(dbtest_setup_pg);
        srandom((unsigned)getpid());
        failed += cmocka_run_group_tests_name("store postgres", pg_tests, NULL, NULL);
    }
    assert_int_equal(bss_mem_used(), 0);
    return failed;
}
