/* The C ABI's promises, checked from C: NULL arguments for every function, invalid
 * UTF-8, buffers too small, free(NULL), bad rulesets and bad inputs with their
 * documented statuses, no partial writes, the version, and 8 threads sharing one
 * ruleset.
 *
 * usage: test_abi RULESET_TOML_PATH   (crates/localcare/rulesets/kent-medway-2017.toml)
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"

#define BUILTIN "kent-medway-2017"
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *ruleset_path;

/* One ACO of three hubs of one practice each (tests/vectors/validate/clean-one-aco). */
enum { N = 7 };
static lc_str ids[N];
static size_t parents[N] = {LC_NO_PARENT, 0, 0, 0, 1, 2, 3};
static lc_str tiers[N];
static int64_t pops[N] = {LC_NO_POPULATION, LC_NO_POPULATION, LC_NO_POPULATION,
                          LC_NO_POPULATION, 150000, 150000, 150000};
static uint64_t caps[N];

static lc_footprint footprint(void) {
    lc_footprint fp = {N, ids, parents, tiers, pops, caps};
    return fp;
}

static void setup(const lc_ruleset *rs) {
    static const char *id_text[N] = {"A1", "H1", "H2", "H3", "P1", "P2", "P3"};
    static const char *tier_text[N] = {"aco", "mcp_hub", "mcp_hub", "mcp_hub",
                                       "gp_practice", "gp_practice", "gp_practice"};
    lc_str aco[] = {S("population_accountability"), S("capitated_budget")};
    lc_str hub[] = {S("mdt"), S("mental_health"), S("seven_day")};
    uint64_t aco_set = 0, hub_set = 0;
    CHECK_OK(lc_ruleset_capability_set(rs, aco, LEN(aco), &aco_set));
    CHECK_OK(lc_ruleset_capability_set(rs, hub, LEN(hub), &hub_set));
    for (size_t i = 0; i < N; i++) {
        ids[i] = S(id_text[i]);
        tiers[i] = S(tier_text[i]);
        caps[i] = i == 0 ? aco_set : i < 4 ? hub_set : 0;
    }
}

static void test_version(void) {
    CHECK(strcmp(lc_version(), LC_VERSION) == 0, "lc_version %s != LC_VERSION %s", lc_version(),
          LC_VERSION);
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", LC_VERSION_MAJOR, LC_VERSION_MINOR, LC_VERSION_PATCH);
    CHECK(strcmp(lc_version(), want) == 0, "lc_version %s != macros %s", lc_version(), want);
    CHECK(strcmp(lc_status_name(LC_OK), "LC_OK") == 0, "status name");
    CHECK(strcmp(lc_status_name(LC_PANIC), "LC_PANIC") == 0, "status name");
    CHECK(strcmp(lc_status_name(12345), "LC_UNKNOWN_STATUS") == 0, "unknown status name");
    CHECK(LC_OK == 0 && LC_NULL_ARGUMENT == 1 && LC_INVALID_UTF8 == 2 && LC_RULESET_ERROR == 3 &&
              LC_INPUT_ERROR == 4 && LC_ALLOCATION_ERROR == 5 && LC_SETTLEMENT_ERROR == 6 &&
              LC_BUFFER_TOO_SMALL == 7 && LC_OUT_OF_RANGE == 8 && LC_PANIC == 9 &&
              LC_NOT_FOUND == 10 && LC_SHIFT_ERROR == 11 && LC_APPRAISAL_ERROR == 12,
          "status values are stable");
    CHECK(strcmp(lc_status_name(LC_SHIFT_ERROR), "LC_SHIFT_ERROR") == 0, "status name");
    CHECK(strcmp(lc_status_name(LC_APPRAISAL_ERROR), "LC_APPRAISAL_ERROR") == 0, "status name");
}

static void test_free_null(void) {
    lc_ruleset_free(NULL);
    lc_report_free(NULL);
    lc_allocation_free(NULL);
    CHECK(1, "free(NULL) returned");
}

static void test_rulesets(void) {
    lc_ruleset *sentinel = (lc_ruleset *)(uintptr_t)0x1, *rs = sentinel;
    CHECK_STATUS(lc_ruleset_builtin("nope", 4, &rs), LC_RULESET_ERROR);
    CHECK(strstr(last_error(), "kent-medway-2017") != NULL, "lists built-ins: %s", last_error());
    CHECK(rs == sentinel, "out untouched on error");
    const char *bad = "schema = 1\nid = \"x\"\ntitle = \"t\"\nversion = \"1\"\n[capabilities]\n"
                      "[[tiers]]\nid = \"gp_practice\"\nname = \"P\"\n"
                      "population = { min = 10, max = 5 }\n";
    CHECK_STATUS(lc_ruleset_from_toml(bad, strlen(bad), &rs), LC_RULESET_ERROR);
    CHECK(strstr(last_error(), "<string>") != NULL, "names the source: %s", last_error());
    CHECK_STATUS(lc_ruleset_from_toml("[[[", 3, &rs), LC_RULESET_ERROR);
    CHECK(strstr(last_error(), "<string>:1") != NULL, "names the line: %s", last_error());
    CHECK_STATUS(lc_ruleset_from_json("{", 1, &rs), LC_RULESET_ERROR);
    CHECK_STATUS(lc_ruleset_from_path("/no/such/file.toml", 18, &rs), LC_RULESET_ERROR);
    CHECK(strstr(last_error(), "/no/such/file.toml") != NULL, "names the file: %s", last_error());
    CHECK(rs == sentinel, "out untouched on error");
    /* A path with a NUL byte: named whole, not cut short at the NUL. */
    CHECK_STATUS(lc_ruleset_from_path("rules\0.toml", 11, &rs), LC_RULESET_ERROR);
    CHECK(strstr(last_error(), "rules\\0.toml") != NULL &&
              strstr(last_error(), "NUL byte at byte 5") != NULL,
          "names the NUL: %s", last_error());
    /* Invalid UTF-8 anywhere a string goes in. */
    CHECK_STATUS(lc_ruleset_builtin("kent\xff", 5, &rs), LC_INVALID_UTF8);
    CHECK(strstr(last_error(), "offset 4") != NULL, "names the offset: %s", last_error());
    CHECK_STATUS(lc_ruleset_from_toml("id = \"\xc3\x28\"", 9, &rs), LC_INVALID_UTF8);
    CHECK_STATUS(lc_ruleset_from_json("\xff", 1, &rs), LC_INVALID_UTF8);
    CHECK_STATUS(lc_ruleset_from_path("\xfe", 1, &rs), LC_INVALID_UTF8);
    /* From a file, and from the file's text; both equal the built-in. */
    lc_ruleset *from_path = NULL;
    CHECK_OK(lc_ruleset_from_path(ruleset_path, strlen(ruleset_path), &from_path));
    lc_str id = {NULL, 0};
    if (from_path) {
        CHECK_OK(lc_ruleset_id(from_path, &id));
        CHECK(str_eq(id, BUILTIN) && id.ptr[id.len] == '\0', "id of the file's ruleset");
    }
    lc_ruleset_free(from_path);
    /* Lengths are explicit: the name need not be NUL-terminated. */
    lc_ruleset *r2 = NULL;
    CHECK_OK(lc_ruleset_builtin(BUILTIN "XYZ", strlen(BUILTIN), &r2));
    lc_ruleset_free(r2);
}

static void test_lookups(const lc_ruleset *rs) {
    size_t count = 0, idx = 99;
    CHECK_OK(lc_ruleset_tier_count(rs, &count));
    CHECK(count == 4, "4 tiers");
    lc_str id = {NULL, 0};
    CHECK_OK(lc_ruleset_tier_id(rs, 3, &id));
    CHECK(str_eq(id, "aco"), "tier 3 is aco");
    CHECK_STATUS(lc_ruleset_tier_id(rs, 4, &id), LC_OUT_OF_RANGE);
    CHECK_OK(lc_ruleset_tier_index(rs, "mcp_hub", 7, &idx));
    CHECK(idx == 2, "mcp_hub is tier 2");
    idx = 99;
    CHECK_STATUS(lc_ruleset_tier_index(rs, "super_hub", 9, &idx), LC_NOT_FOUND);
    CHECK(idx == 99 && strstr(last_error(), "gp_practice") != NULL, "lists tiers: %s",
          last_error());
    CHECK_STATUS(lc_ruleset_tier_index(rs, "\x80", 1, &idx), LC_INVALID_UTF8);
    CHECK_OK(lc_ruleset_capability_count(rs, &count));
    CHECK(count == 9, "9 capabilities");
    uint32_t bit = 77;
    CHECK_OK(lc_ruleset_capability_bit(rs, "seven_day", 9, &bit));
    CHECK(bit < 9, "seven_day has a bit");
    CHECK_OK(lc_ruleset_capability_id(rs, bit, &id));
    CHECK(str_eq(id, "seven_day"), "bit round trip");
    CHECK_STATUS(lc_ruleset_capability_id(rs, 9, &id), LC_OUT_OF_RANGE);
    bit = 77;
    CHECK_STATUS(lc_ruleset_capability_bit(rs, "telepathy", 9, &bit), LC_NOT_FOUND);
    CHECK(bit == 77 && strstr(last_error(), "telepathy") != NULL, "names it: %s", last_error());
    CHECK_STATUS(lc_ruleset_capability_bit(rs, "", 0, &bit), LC_NOT_FOUND);
    CHECK_STATUS(lc_ruleset_capability_bit(rs, "\xc0", 1, &bit), LC_INVALID_UTF8);
    lc_str list[] = {S("mdt"), S("warp_drive")};
    uint64_t set = 42;
    CHECK_STATUS(lc_ruleset_capability_set(rs, list, 2, &set), LC_NOT_FOUND);
    CHECK(set == 42 && strstr(last_error(), "ids[1]") != NULL, "names the index: %s",
          last_error());
}

static void test_null_arguments(const lc_ruleset *rs) {
    lc_ruleset *r = NULL;
    lc_str s;
    size_t z = 0;
    uint32_t bit;
    uint64_t set;
    CHECK_STATUS(lc_ruleset_builtin(NULL, 3, &r), LC_NULL_ARGUMENT);
    CHECK(strstr(last_error(), "`name`") != NULL, "names the argument: %s", last_error());
    CHECK_STATUS(lc_ruleset_builtin(BUILTIN, strlen(BUILTIN), NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_from_toml(NULL, 1, &r), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_from_toml("", 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_from_json(NULL, 1, &r), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_from_json("{}", 2, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_from_path(NULL, 1, &r), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_from_path("x", 1, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_id(NULL, &s), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_id(rs, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_tier_count(NULL, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_tier_count(rs, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_tier_id(NULL, 0, &s), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_tier_id(rs, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_tier_index(NULL, "aco", 3, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_tier_index(rs, NULL, 3, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_tier_index(rs, "aco", 3, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_count(NULL, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_count(rs, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_id(NULL, 0, &s), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_id(rs, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_bit(NULL, "mdt", 3, &bit), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_bit(rs, NULL, 3, &bit), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_bit(rs, "mdt", 3, NULL), LC_NULL_ARGUMENT);
    lc_str one[] = {S("mdt")};
    CHECK_STATUS(lc_ruleset_capability_set(NULL, one, 1, &set), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_set(rs, NULL, 1, &set), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_ruleset_capability_set(rs, one, 1, NULL), LC_NULL_ARGUMENT);
    lc_str null_str = {NULL, 3};
    CHECK_STATUS(lc_ruleset_capability_set(rs, &null_str, 1, &set), LC_NULL_ARGUMENT);
    CHECK_OK(lc_ruleset_capability_set(rs, NULL, 0, &set)); /* empty list: NULL is fine */
    CHECK(set == 0, "empty set");

    uint64_t p[1] = {1000};
    uint8_t t[1];
    lc_classification c;
    char buf[64];
    CHECK_STATUS(lc_classify(NULL, p, NULL, 1, t), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify(rs, NULL, NULL, 1, t), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify(rs, p, NULL, 1, NULL), LC_NULL_ARGUMENT);
    CHECK_OK(lc_classify(rs, NULL, NULL, 0, NULL)); /* nothing to classify */
    CHECK_STATUS(lc_classify_unit(NULL, 1, 0, &c), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_unit(rs, 1, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_reasons(NULL, 1, 0, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_reasons(rs, 1, 0, NULL, 10, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_explain(NULL, 1, 0, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_explain(rs, 1, 0, NULL, 10, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_last_error_message(NULL, 10, &z), LC_NULL_ARGUMENT);

    lc_footprint fp = footprint();
    lc_report *rep = NULL;
    CHECK_STATUS(lc_validate(NULL, &fp, &rep), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_validate(rs, NULL, &rep), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_validate(rs, &fp, NULL), LC_NULL_ARGUMENT);
    lc_footprint holes[4] = {fp, fp, fp, fp};
    holes[0].unit_ids = NULL;
    holes[1].parents = NULL;
    holes[2].declared_tiers = NULL;
    holes[3].populations = NULL;
    for (size_t i = 0; i < 4; i++) {
        CHECK_STATUS(lc_validate(rs, &holes[i], &rep), LC_NULL_ARGUMENT);
        CHECK(strstr(last_error(), "footprint.") != NULL, "names the column: %s", last_error());
    }
    CHECK(rep == NULL, "no report made");
    lc_str null_ids[N];
    memcpy(null_ids, ids, sizeof ids);
    null_ids[5].ptr = NULL; /* len stays 2 */
    lc_footprint bad_id = fp;
    bad_id.unit_ids = null_ids;
    CHECK_STATUS(lc_validate(rs, &bad_id, &rep), LC_NULL_ARGUMENT);
    CHECK(strstr(last_error(), "unit_ids[5]") != NULL, "names the index: %s", last_error());

    CHECK_OK(lc_validate(rs, &fp, &rep));
    lc_finding f;
    bool b;
    lc_aco_count_range range;
    CHECK_STATUS(lc_report_finding_count(NULL, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_finding_count(rep, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_finding(NULL, 0, &f), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_finding(rep, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_has_errors(NULL, &b), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_has_errors(rep, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_severity_count(NULL, 0, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_severity_count(rep, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_aco_count_range(NULL, &range), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_aco_count_range(rep, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_summary(NULL, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_summary(rep, NULL, 5, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_text(NULL, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_text(rep, NULL, 5, &z), LC_NULL_ARGUMENT);
    lc_footprint_totals totals;
    CHECK_STATUS(lc_report_totals(NULL, &totals), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_report_totals(rep, NULL), LC_NULL_ARGUMENT);
    CHECK_OK(lc_report_totals(rep, &totals));
    CHECK(totals.units == 7 && totals.practices == 3 && totals.total_population == 450000 &&
              totals.accountable_units == 1,
          "report totals");
    lc_report_free(rep);

    lc_allocation *a = NULL;
    CHECK_STATUS(lc_allocate(NULL, &fp, NULL, NULL, 100, &a), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocate(rs, NULL, NULL, NULL, 100, &a), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocate(rs, &fp, NULL, NULL, 100, NULL), LC_NULL_ARGUMENT);
    lc_str null_need[N] = {{NULL, 0}};
    null_need[4].len = 3; /* ptr NULL means "not given", whatever the length */
    lc_needs needs = {null_need, NULL, NULL, 0, NULL, NULL};
    CHECK_OK(lc_allocate(rs, &fp, &needs, NULL, 100, &a));
    int64_t i64 = 0, i64b = 0;
    size_t order[N];
    lc_pot pot;
    lc_allocation_columns cols = {NULL, NULL, NULL, NULL, NULL};
    CHECK_STATUS(lc_allocation_unit_count(NULL, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_unit_count(a, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_copy_columns(NULL, N, &cols), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_copy_columns(a, N, NULL), LC_NULL_ARGUMENT);
    CHECK_OK(lc_allocation_copy_columns(a, N, &cols)); /* every column skipped */
    CHECK_STATUS(lc_allocation_row_order(NULL, order, N), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_row_order(a, NULL, N), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_totals(NULL, &i64, &i64b), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_totals(a, NULL, &i64b), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_totals(a, &i64, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_pot_count(NULL, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_pot_count(a, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_pot(NULL, 0, &pot), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocation_pot(a, 0, NULL), LC_NULL_ARGUMENT);
    lc_allocation_free(a);

    lc_settlement_input in = {S("ACO1"), 100, 90, 12000, S("0.9"), LC_NO_VALUE};
    lc_settlement out;
    CHECK_STATUS(lc_settle(NULL, &in, 1, &out), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_settle(rs, NULL, 1, &out), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_settle(rs, &in, 1, NULL), LC_NULL_ARGUMENT);
    CHECK_OK(lc_settle(rs, NULL, 0, NULL));
    lc_settlement_input no_quality = in;
    no_quality.quality.ptr = NULL;
    CHECK_STATUS(lc_settle(rs, &no_quality, 1, &out), LC_NULL_ARGUMENT);
    CHECK(strstr(last_error(), "inputs[0].quality") != NULL, "names the field: %s", last_error());
    CHECK_STATUS(lc_settle_explain(NULL, &in, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_settle_explain(rs, NULL, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_settle_explain(rs, &in, NULL, 5, &z), LC_NULL_ARGUMENT);
}

static void test_buffers(const lc_ruleset *rs) {
    /* The last error: learn the length with len 0, then copy. */
    CHECK_STATUS(lc_ruleset_builtin("missing", 7, &(lc_ruleset *){NULL}), LC_RULESET_ERROR);
    size_t needed = 0;
    CHECK_STATUS(lc_last_error_message(NULL, 0, &needed), LC_BUFFER_TOO_SMALL);
    CHECK(needed > 10, "needed %zu", needed);
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK_STATUS(lc_last_error_message(small, sizeof small, NULL), LC_BUFFER_TOO_SMALL);
    CHECK(small[0] == 'x' && small[7] == 'x', "buffer untouched when too small");
    char *exact = malloc(needed + 1);
    size_t again = 0;
    CHECK_OK(lc_last_error_message(exact, needed + 1, &again));
    CHECK(again == needed && strlen(exact) == needed, "exact fit, NUL-terminated");
    CHECK(strstr(exact, "missing") != NULL, "message survives reading: %s", exact);
    CHECK_STATUS(lc_last_error_message(exact, needed, &again), LC_BUFFER_TOO_SMALL);
    free(exact);
    /* A success clears it. */
    size_t count = 0;
    CHECK_OK(lc_ruleset_tier_count(rs, &count));
    CHECK_OK(lc_last_error_message(small, sizeof small, &needed));
    CHECK(needed == 0 && small[0] == '\0', "cleared after success");

    /* Explain text. */
    uint64_t t1 = 0;
    lc_str t1_caps[] = {S("enhanced_in_hours"), S("extended_hours")};
    CHECK_OK(lc_ruleset_capability_set(rs, t1_caps, 2, &t1));
    CHECK_STATUS(lc_classify_explain(rs, 30000, t1, NULL, 0, &needed), LC_BUFFER_TOO_SMALL);
    char *text = malloc(needed + 1);
    CHECK_OK(lc_classify_explain(rs, 30000, t1, text, needed + 1, NULL));
    CHECK(strstr(text, "tier extended_practice") != NULL, "explain: %s", text);
    CHECK(strstr(text, "not mcp_hub: population 30,000 below the minimum 50,000") != NULL,
          "explain: %s", text);
    free(text);
    char tiny[4] = "abc";
    CHECK_STATUS(lc_classify_reasons(rs, 30000, t1, tiny, sizeof tiny, &needed),
                 LC_BUFFER_TOO_SMALL);
    CHECK(strcmp(tiny, "abc") == 0, "untouched");

    /* Report and settlement text. */
    lc_footprint fp = footprint();
    lc_report *rep = NULL;
    CHECK_OK(lc_validate(rs, &fp, &rep));
    CHECK_STATUS(lc_report_text(rep, tiny, sizeof tiny, &needed), LC_BUFFER_TOO_SMALL);
    char summary[256];
    CHECK_OK(lc_report_summary(rep, summary, sizeof summary, &needed));
    CHECK(strcmp(summary, "7 units, 3 practices, population 450,000; 1 aco (feasible 1..=1); "
                          "0 errors, 0 warnings, 1 info") == 0,
          "summary: %s", summary);
    lc_report_free(rep);
    lc_settlement_input in = {S("ACO1"), 12000000000, 11580000000, 12000, S("0.90"), LC_NO_VALUE};
    CHECK_STATUS(lc_settle_explain(rs, &in, NULL, 0, &needed), LC_BUFFER_TOO_SMALL);
    text = malloc(needed + 1);
    CHECK_OK(lc_settle_explain(rs, &in, text, needed + 1, &needed));
    CHECK(strlen(text) == needed && strstr(text, "1,890,000") != NULL, "settle explain: %s", text);
    free(text);
    /* The rates, in billionths: 3.5% savings; the 42 CFR 425.604 minimum for 12,000
     * (3.0% at 10,000 falling to 2.7% at 14,999: 0.03 - 0.003 x 2,000 / 4,999); sharing
     * 50% x quality 0.90. */
    lc_settlement st;
    CHECK_OK(lc_settle(rs, &in, 1, &st));
    CHECK(st.final_pence == 189000000, "final: %lld", (long long)st.final_pence);
    CHECK(st.savings_rate_ppb == 35000000, "savings rate: %lld", (long long)st.savings_rate_ppb);
    CHECK(st.minimum_rate_ppb == 28799760, "minimum rate: %lld", (long long)st.minimum_rate_ppb);
    CHECK(st.sharing_rate_ppb == 450000000, "sharing rate: %lld", (long long)st.sharing_rate_ppb);
}

static void test_classify(const lc_ruleset *rs) {
    uint64_t t1 = 0;
    lc_str t1_caps[] = {S("enhanced_in_hours"), S("extended_hours")};
    CHECK_OK(lc_ruleset_capability_set(rs, t1_caps, 2, &t1));
    uint64_t p[4] = {5000, 30000, 30000, 250000};
    uint64_t c[4] = {0, t1, 0, t1};
    uint8_t out[4];
    CHECK_OK(lc_classify(rs, p, c, 4, out));
    CHECK(out[0] == 0 && out[1] == 1 && out[2] == 0 && out[3] == 0, "tiers %d %d %d %d", out[0],
          out[1], out[2], out[3]);
    CHECK_OK(lc_classify(rs, p, NULL, 4, out));
    CHECK(out[1] == 0, "NULL capabilities: none");
    /* An undeclared bit: refused, naming the index and bit; nothing written. */
    c[2] = (uint64_t)1 << 40;
    memset(out, 0xAA, sizeof out);
    CHECK_STATUS(lc_classify(rs, p, c, 4, out), LC_OUT_OF_RANGE);
    CHECK(strstr(last_error(), "capabilities[2] has bit 40") != NULL, "message: %s", last_error());
    CHECK(out[0] == 0xAA && out[3] == 0xAA, "no partial write");
    lc_classification one;
    CHECK_STATUS(lc_classify_unit(rs, 1, (uint64_t)1 << 63, &one), LC_OUT_OF_RANGE);
    lc_classification gap;
    CHECK_OK(lc_classify_unit(rs, 250000, 0, &gap));
    CHECK(gap.band_status == LC_BAND_GAP && str_eq(gap.tier_id, "gp_practice"), "a gap");
}

static void test_validate_and_allocate_errors(const lc_ruleset *rs) {
    lc_footprint fp = footprint();
    lc_report *rep = NULL;
    /* Parent index past the end. */
    size_t bad_parents[N];
    memcpy(bad_parents, parents, sizeof parents);
    bad_parents[6] = 9;
    lc_footprint f2 = fp;
    f2.parents = bad_parents;
    CHECK_STATUS(lc_validate(rs, &f2, &rep), LC_OUT_OF_RANGE);
    CHECK(strstr(last_error(), "footprint.parents[6] is 9") != NULL, "message: %s", last_error());
    CHECK(rep == NULL, "no report");
    /* Invalid UTF-8 in a unit id and a tier. */
    lc_str bad_ids[N];
    memcpy(bad_ids, ids, sizeof ids);
    bad_ids[3].ptr = "H\xff";
    f2 = fp;
    f2.unit_ids = bad_ids;
    CHECK_STATUS(lc_validate(rs, &f2, &rep), LC_INVALID_UTF8);
    CHECK(strstr(last_error(), "unit_ids[3]") != NULL, "message: %s", last_error());
    lc_str bad_tiers[N];
    memcpy(bad_tiers, tiers, sizeof tiers);
    bad_tiers[0] = (lc_str){"ac\xe2\x82", 4};
    f2 = fp;
    f2.declared_tiers = bad_tiers;
    CHECK_STATUS(lc_validate(rs, &f2, &rep), LC_INVALID_UTF8);

    /* A negative population: a finding (LC202) in validation, an error in allocation. */
    int64_t neg[N];
    memcpy(neg, pops, sizeof pops);
    neg[5] = -10;
    f2 = fp;
    f2.populations = neg;
    CHECK_OK(lc_validate(rs, &f2, &rep));
    bool has_errors = false;
    size_t errors = 0, count = 0;
    lc_finding f;
    CHECK_OK(lc_report_has_errors(rep, &has_errors));
    CHECK_OK(lc_report_severity_count(rep, LC_SEVERITY_ERROR, &errors));
    CHECK_OK(lc_report_finding(rep, 0, &f));
    CHECK(has_errors && errors >= 1 && str_eq(f.code, "LC202") && f.unit_index == 5 &&
              f.severity == LC_SEVERITY_ERROR && str_eq(f.name, "population_negative"),
          "LC202 on P2");
    CHECK_OK(lc_report_finding_count(rep, &count));
    CHECK_STATUS(lc_report_finding(rep, count, &f), LC_OUT_OF_RANGE);
    CHECK_STATUS(lc_report_severity_count(rep, 3, &errors), LC_OUT_OF_RANGE);
    lc_report_free(rep);
    lc_allocation *sentinel = (lc_allocation *)(uintptr_t)0x1, *a = sentinel;
    CHECK_STATUS(lc_allocate(rs, &f2, NULL, NULL, 1000, &a), LC_ALLOCATION_ERROR);
    CHECK(strstr(last_error(), "LC202 P2") != NULL && a == sentinel, "message: %s", last_error());

    /* A cycle: H1 -> H2 -> H1. */
    size_t cyc[N];
    memcpy(cyc, parents, sizeof parents);
    cyc[1] = 2;
    cyc[2] = 1;
    f2 = fp;
    f2.parents = cyc;
    CHECK_OK(lc_validate(rs, &f2, &rep));
    int found = 0;
    CHECK_OK(lc_report_finding_count(rep, &count));
    for (size_t i = 0; i < count; i++) {
        CHECK_OK(lc_report_finding(rep, i, &f));
        found |= str_eq(f.code, "LC103");
    }
    CHECK(found, "cycle found");
    lc_report_free(rep);
    CHECK_STATUS(lc_allocate(rs, &f2, NULL, NULL, 1000, &a), LC_ALLOCATION_ERROR);
    CHECK(a == sentinel, "no allocation");

    /* Budgets: negative, and the largest there is. */
    CHECK_STATUS(lc_allocate(rs, &fp, NULL, NULL, -5, &a), LC_ALLOCATION_ERROR);
    CHECK(strstr(last_error(), "negative") != NULL, "message: %s", last_error());
    a = NULL;
    lc_status s = lc_allocate(rs, &fp, NULL, NULL, INT64_MAX, &a);
    CHECK(s == LC_OK, "INT64_MAX budget: %s: %s", lc_status_name(s), last_error());
    if (s == LC_OK) {
        int64_t acos[N], budget = 0, pool = 0;
        lc_allocation_columns cols = {acos, NULL, NULL, NULL, NULL};
        CHECK_OK(lc_allocation_copy_columns(a, N, &cols));
        CHECK_OK(lc_allocation_totals(a, &budget, &pool));
        CHECK(budget == INT64_MAX && acos[0] == pool, "the largest budget is conserved");
        lc_allocation_free(a);
    }

    /* Baselines whose sum overflows 64 bits: refused, not wrapped. */
    {
        const char *toml = "schema = 1\nid = \"o\"\ntitle = \"t\"\nversion = \"1\"\n"
                           "[capabilities]\n[[tiers]]\nid = \"gp_practice\"\nname = \"P\"\n"
                           "parents = [\"aco\"]\n[[tiers]]\nid = \"aco\"\nname = \"A\"\n"
                           "parents = [\"strategic_commissioner\"]\n[allocation]\n"
                           "aco_commissioned_share = \"1\"\ninequalities_weight = \"0\"\n"
                           "pots = []\n[allocation.pace_of_change]\nrate = \"0.5\"\n"
                           "min_growth = \"0\"\n";
        lc_ruleset *open = NULL;
        CHECK_OK(lc_ruleset_from_toml(toml, strlen(toml), &open));
        lc_str oids[4] = {S("A1"), S("A2"), S("P1"), S("P2")};
        size_t opar[4] = {LC_NO_PARENT, LC_NO_PARENT, 0, 1};
        lc_str otiers[4] = {S("aco"), S("aco"), S("gp_practice"), S("gp_practice")};
        int64_t opops[4] = {LC_NO_POPULATION, LC_NO_POPULATION, 10, 30};
        int64_t obase[4] = {INT64_MAX, INT64_MAX, LC_NO_BASELINE, LC_NO_BASELINE};
        lc_footprint ofp = {4, oids, opar, otiers, opops, NULL};
        a = sentinel;
        CHECK_STATUS(lc_allocate(open, &ofp, NULL, obase, INT64_MAX, &a), LC_ALLOCATION_ERROR);
        CHECK(a == sentinel, "nothing made on overflow");
        lc_ruleset_free(open);
    }

    /* Needs and baselines: a bad decimal, a baseline for a hub, a negative need. */
    lc_str need_index[N] = {{NULL, 0}};
    need_index[6] = S("1.2x");
    lc_needs needs = {need_index, NULL, NULL, 0, NULL, NULL};
    a = sentinel;
    CHECK_STATUS(lc_allocate(rs, &fp, &needs, NULL, 1000, &a), LC_INPUT_ERROR);
    CHECK(strstr(last_error(), "needs.need_index[6]") != NULL, "message: %s", last_error());
    need_index[6] = (lc_str){"1.\xff", 3};
    CHECK_STATUS(lc_allocate(rs, &fp, &needs, NULL, 1000, &a), LC_INVALID_UTF8);
    need_index[6] = S("-1");
    CHECK_STATUS(lc_allocate(rs, &fp, &needs, NULL, 1000, &a), LC_ALLOCATION_ERROR);
    need_index[6] = (lc_str){NULL, 0};
    need_index[1] = S("1.1");
    CHECK_STATUS(lc_allocate(rs, &fp, &needs, NULL, 1000, &a), LC_ALLOCATION_ERROR);
    CHECK(strstr(last_error(), "H1") != NULL, "need on a hub: %s", last_error());
    int64_t base[N] = {LC_NO_BASELINE, 500, LC_NO_BASELINE, LC_NO_BASELINE,
                       LC_NO_BASELINE, LC_NO_BASELINE, LC_NO_BASELINE};
    CHECK_STATUS(lc_allocate(rs, &fp, NULL, base, 1000, &a), LC_ALLOCATION_ERROR);
    CHECK(a == sentinel, "nothing made on error");

    /* A good allocation, with a need, and the accessors' ranges. */
    need_index[1] = (lc_str){NULL, 0};
    need_index[4] = S("1.5");
    a = NULL;
    CHECK_OK(lc_allocate(rs, &fp, &needs, NULL, 1000000, &a));
    int64_t alloc[N], retained[N];
    lc_allocation_columns cols = {alloc, NULL, retained, NULL, NULL};
    CHECK_STATUS(lc_allocation_copy_columns(a, N - 1, &cols), LC_OUT_OF_RANGE);
    CHECK_OK(lc_allocation_copy_columns(a, N, &cols));
    CHECK(alloc[4] > alloc[5], "more need, more money");
    CHECK(alloc[0] == alloc[1] + alloc[2] + alloc[3] + retained[0], "conserved at the ACO");
    size_t order[N], pots = 0;
    CHECK_STATUS(lc_allocation_row_order(a, order, N + 1), LC_OUT_OF_RANGE);
    CHECK_OK(lc_allocation_pot_count(a, &pots));
    lc_pot pot;
    CHECK_STATUS(lc_allocation_pot(a, pots, &pot), LC_OUT_OF_RANGE);
    CHECK_OK(lc_allocation_pot(a, 0, &pot));
    CHECK(pot.id.ptr[pot.id.len] == '\0' && alloc[0] + pot.allocation_pence == 1000000,
          "ACO and pot add up to the budget");
    lc_allocation_free(a);
}

static void test_settle_errors(const lc_ruleset *rs) {
    lc_settlement_input in[2] = {{S("A"), 100, 90, 12000, S("0.9"), LC_NO_VALUE},
                                 {S("B"), 100, 90, 12000, S("high"), LC_NO_VALUE}};
    lc_settlement out[2];
    memset(out, 0x5A, sizeof out);
    CHECK_STATUS(lc_settle(rs, in, 2, out), LC_INPUT_ERROR);
    CHECK(strstr(last_error(), "inputs[1].quality: `high`") != NULL, "message: %s", last_error());
    in[1].quality = S("1.5");
    CHECK_STATUS(lc_settle(rs, in, 2, out), LC_SETTLEMENT_ERROR);
    CHECK(strstr(last_error(), "row 1") != NULL, "names the row: %s", last_error());
    in[1].unit_id = (lc_str){"B\xff", 2};
    CHECK_STATUS(lc_settle(rs, in, 2, out), LC_INVALID_UTF8);
    unsigned char *bytes = (unsigned char *)out;
    int untouched = 1;
    for (size_t i = 0; i < sizeof out; i++) untouched &= bytes[i] == 0x5A;
    CHECK(untouched, "no partial write");
    /* A ruleset without a settlement policy. */
    const char *toml = "schema = 1\nid = \"plain\"\ntitle = \"t\"\nversion = \"1\"\n"
                       "[capabilities]\n[[tiers]]\nid = \"gp_practice\"\nname = \"P\"\n"
                       "parents = [\"aco\"]\n[[tiers]]\nid = \"aco\"\nname = \"A\"\n"
                       "parents = [\"strategic_commissioner\"]\n[allocation]\n"
                       "aco_commissioned_share = \"1\"\ninequalities_weight = \"0\"\npots = []\n";
    lc_ruleset *plain = NULL;
    CHECK_OK(lc_ruleset_from_toml(toml, strlen(toml), &plain));
    CHECK_STATUS(lc_settle(plain, in, 1, out), LC_SETTLEMENT_ERROR);
    CHECK(strstr(last_error(), "no settlement policy") != NULL, "message: %s", last_error());
    lc_ruleset_free(plain);
}

/* Age-band counts weigh a practice instead of population x need index. */
static void test_age_bands(void) {
    const char *toml = "schema = 1\nid = \"ages\"\ntitle = \"t\"\nversion = \"1\"\n"
                       "[capabilities]\n[[tiers]]\nid = \"gp_practice\"\nname = \"P\"\n"
                       "parents = [\"aco\"]\n[[tiers]]\nid = \"aco\"\nname = \"A\"\n"
                       "parents = [\"strategic_commissioner\"]\n[allocation]\n"
                       "aco_commissioned_share = \"1\"\ninequalities_weight = \"0\"\n"
                       "pots = []\n[allocation.age_band_weights]\nunder_65 = \"1\"\n"
                       "over_65 = \"2.5\"\n";
    lc_ruleset *rs = NULL;
    CHECK_OK(lc_ruleset_from_toml(toml, strlen(toml), &rs));
    if (!rs) return;
    lc_str aids[3] = {S("A1"), S("P1"), S("P2")};
    size_t apar[3] = {LC_NO_PARENT, 0, 0};
    lc_str atiers[3] = {S("aco"), S("gp_practice"), S("gp_practice")};
    int64_t apops[3] = {LC_NO_POPULATION, 110, 125};
    lc_footprint fp = {3, aids, apar, atiers, apops, NULL};
    lc_str bands[2] = {S("under_65"), S("over_65")};
    /* P1: 100 under 65 and 10 over (weight 2.5): 125, as P2's population of 125. */
    uint64_t counts[6] = {LC_NO_COUNT, LC_NO_COUNT, 100, 10, LC_NO_COUNT, LC_NO_COUNT};
    lc_needs needs = {NULL, NULL, NULL, 2, bands, counts};
    lc_allocation *a = NULL;
    CHECK_OK(lc_allocate(rs, &fp, &needs, NULL, 1000, &a));
    if (a) {
        int64_t alloc[3];
        uint64_t wp[3];
        lc_allocation_columns cols = {alloc, NULL, NULL, wp, NULL};
        CHECK_OK(lc_allocation_copy_columns(a, 3, &cols));
        CHECK(wp[1] == 125000000 && wp[2] == 125000000 && alloc[1] == 500 && alloc[2] == 500,
              "age bands weigh P1 as 125: wp %llu, %lld pence", (unsigned long long)wp[1],
              (long long)alloc[1]);
        lc_allocation_free(a);
    }
    lc_allocation *sentinel = (lc_allocation *)(uintptr_t)0x1;
    a = sentinel;
    /* Both a need index and age counts for P1. */
    lc_str need_index[3] = {{NULL, 0}, S("1.1"), {NULL, 0}};
    lc_needs both = {need_index, NULL, NULL, 2, bands, counts};
    CHECK_STATUS(lc_allocate(rs, &fp, &both, NULL, 1000, &a), LC_ALLOCATION_ERROR);
    CHECK(strstr(last_error(), "one or the other") != NULL, "message: %s", last_error());
    /* A band the ruleset does not weigh. */
    lc_str teen[2] = {S("under_65"), S("teen")};
    lc_needs unknown = {NULL, NULL, NULL, 2, teen, counts};
    CHECK_STATUS(lc_allocate(rs, &fp, &unknown, NULL, 1000, &a), LC_ALLOCATION_ERROR);
    CHECK(strstr(last_error(), "teen") != NULL, "message: %s", last_error());
    /* A band given twice, invalid UTF-8, and missing counts. */
    lc_str twice[2] = {S("over_65"), S("over_65")};
    lc_needs dup = {NULL, NULL, NULL, 2, twice, counts};
    CHECK_STATUS(lc_allocate(rs, &fp, &dup, NULL, 1000, &a), LC_INPUT_ERROR);
    CHECK(strstr(last_error(), "age_band_ids[1]") != NULL, "message: %s", last_error());
    lc_str bad[2] = {S("under_65"), {"ov\xff" "er", 5}};
    lc_needs bad_utf8 = {NULL, NULL, NULL, 2, bad, counts};
    CHECK_STATUS(lc_allocate(rs, &fp, &bad_utf8, NULL, 1000, &a), LC_INVALID_UTF8);
    lc_needs no_counts = {NULL, NULL, NULL, 2, bands, NULL};
    CHECK_STATUS(lc_allocate(rs, &fp, &no_counts, NULL, 1000, &a), LC_NULL_ARGUMENT);
    CHECK(strstr(last_error(), "needs.age_counts") != NULL, "message: %s", last_error());
    lc_needs no_ids = {NULL, NULL, NULL, 2, NULL, counts};
    CHECK_STATUS(lc_allocate(rs, &fp, &no_ids, NULL, 1000, &a), LC_NULL_ARGUMENT);
    CHECK(a == sentinel, "nothing made on error");
    lc_ruleset_free(rs);
}

/* Eight threads share one ruleset, each running every function and checking that its
 * last error message is its own. */
typedef struct {
    const lc_ruleset *rs;
    const lc_report *report;         /* shared by every thread */
    const lc_allocation *allocation; /* shared by every thread */
    int index;
} job;

static void *worker(void *arg) {
    const job *j = arg;
    const lc_ruleset *rs = j->rs;
    for (int round = 0; round < 20; round++) {
        uint64_t p[3] = {5000, 30000 + (uint64_t)j->index, 450000};
        uint8_t t[3];
        CHECK_OK(lc_classify(rs, p, NULL, 3, t));
        lc_footprint fp = footprint();
        lc_report *rep = NULL;
        CHECK_OK(lc_validate(rs, &fp, &rep));
        lc_report_free(rep);
        lc_allocation *a = NULL;
        int64_t budget = 1000000 + j->index;
        CHECK_OK(lc_allocate(rs, &fp, NULL, NULL, budget, &a));
        int64_t b = 0, pool = 0;
        CHECK_OK(lc_allocation_totals(a, &b, &pool));
        CHECK(b == budget, "thread %d budget", j->index);
        lc_allocation_free(a);
        char name[32];
        int len = snprintf(name, sizeof name, "thread-%d-round-%d", j->index, round);
        lc_ruleset *none = NULL;
        CHECK_STATUS(lc_ruleset_builtin(name, (size_t)len, &none), LC_RULESET_ERROR);
        CHECK(strstr(last_error(), name) != NULL, "thread %d sees its own error: %s", j->index,
              last_error());
        /* Read the shared report and allocation. */
        size_t count = 0;
        lc_finding f;
        CHECK_OK(lc_report_finding_count(j->report, &count));
        CHECK(count == 1, "shared report has one finding");
        CHECK_OK(lc_report_finding(j->report, 0, &f));
        CHECK(str_eq(f.code, "LC304"), "shared finding");
        int64_t shared_alloc[N];
        lc_allocation_columns cols = {shared_alloc, NULL, NULL, NULL, NULL};
        CHECK_OK(lc_allocation_copy_columns(j->allocation, N, &cols));
        CHECK(shared_alloc[0] == 800000, "shared allocation");
    }
    return NULL;
}

static void test_threads(const lc_ruleset *rs) {
    pthread_t th[8];
    job jobs[8];
    lc_footprint fp = footprint();
    lc_report *report = NULL;
    lc_allocation *allocation = NULL;
    CHECK_OK(lc_validate(rs, &fp, &report));
    CHECK_OK(lc_allocate(rs, &fp, NULL, NULL, 1000000, &allocation));
    if (!report || !allocation) return;
    for (int i = 0; i < 8; i++) {
        jobs[i].rs = rs;
        jobs[i].report = report;
        jobs[i].allocation = allocation;
        jobs[i].index = i;
        CHECK(pthread_create(&th[i], NULL, worker, &jobs[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < 8; i++) CHECK(pthread_join(th[i], NULL) == 0, "pthread_join");
    lc_report_free(report);
    lc_allocation_free(allocation);
}

int main(int argc, char **argv) {
    int threads_only = argc == 3 && strcmp(argv[2], "--threads") == 0;
    if (argc != 2 && !threads_only) {
        fprintf(stderr, "usage: %s RULESET_TOML_PATH [--threads]\n", argv[0]);
        return 2;
    }
    ruleset_path = argv[1];
    if (threads_only) {
        /* Only the 8-thread test, for the thread checker (helgrind) in scripts/test-c. */
        lc_ruleset *shared = NULL;
        CHECK_OK(lc_ruleset_builtin(BUILTIN, strlen(BUILTIN), &shared));
        if (!shared) return check_report("test_abi --threads");
        setup(shared);
        test_threads(shared);
        lc_ruleset_free(shared);
        return check_report("test_abi --threads");
    }
    test_version();
    test_free_null();
    test_rulesets();
    lc_ruleset *rs = NULL;
    CHECK_OK(lc_ruleset_builtin(BUILTIN, strlen(BUILTIN), &rs));
    if (!rs) return check_report("test_abi");
    setup(rs);
    test_lookups(rs);
    test_null_arguments(rs);
    test_buffers(rs);
    test_classify(rs);
    test_validate_and_allocate_errors(rs);
    test_settle_errors(rs);
    test_age_bands();
    test_threads(rs);
    lc_ruleset_free(rs);
    return check_report("test_abi");
}
