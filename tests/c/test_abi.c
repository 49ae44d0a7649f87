/* The C ABI's promises, checked from C: NULL arguments for every function, invalid
 * UTF-8, buffers too small, free(NULL), bad rulesets and bad inputs with their
 * documented statuses, no partial writes, the version, input tables built with
 * lc_builder, results read through lc_result, and 8 threads sharing one ruleset and
 * one result.
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
static lc_str ids[N], parents[N], tiers[N], caps[N];
static int64_t pops[N] = {LC_NO_VALUE, LC_NO_VALUE, LC_NO_VALUE, LC_NO_VALUE,
                          150000,      150000,      150000};

static void setup(void) {
    static const char *id_text[N] = {"A1", "H1", "H2", "H3", "P1", "P2", "P3"};
    static const char *parent_text[N] = {NULL, "A1", "A1", "A1", "H1", "H2", "H3"};
    static const char *tier_text[N] = {"aco", "mcp_hub", "mcp_hub", "mcp_hub",
                                       "gp_practice", "gp_practice", "gp_practice"};
    for (size_t i = 0; i < N; i++) {
        ids[i] = S(id_text[i]);
        parents[i] = S(parent_text[i]);
        tiers[i] = S(tier_text[i]);
        caps[i] = S(i == 0 ? "population_accountability;capitated_budget"
                    : i < 4 ? "mdt;mental_health;seven_day"
                            : NULL);
    }
}

/* The footprint as an Arrow stream, made from the arrays above with lc_builder. */
static struct ArrowArrayStream footprint(void) {
    struct ArrowArrayStream s;
    memset(&s, 0, sizeof s);
    lc_builder *b = NULL;
    CHECK_OK(lc_builder_new(&b));
    CHECK_OK(lc_builder_text(b, "unit_id", 7, ids, N));
    CHECK_OK(lc_builder_text(b, "parent_id", 9, parents, N));
    CHECK_OK(lc_builder_text(b, "declared_tier", 13, tiers, N));
    CHECK_OK(lc_builder_i64(b, "population", 10, pops, N));
    CHECK_OK(lc_builder_text(b, "capabilities", 12, caps, N));
    CHECK_OK(lc_builder_finish(b, &s));
    lc_builder_free(b);
    return s;
}

/* A cell of table 0 by column name, as int64_t and as text. */
static int64_t cell_i64(const lc_result *r, size_t row, const char *col) {
    size_t c = 0;
    int64_t v = 0;
    CHECK_OK(lc_result_column_index(r, 0, col, strlen(col), &c));
    CHECK_OK(lc_result_i64(r, 0, c, row, &v));
    return v;
}

static const char *cell_text(const lc_result *r, size_t row, const char *col) {
    static _Thread_local char buf[4096];
    size_t c = 0;
    buf[0] = '\0';
    CHECK_OK(lc_result_column_index(r, 0, col, strlen(col), &c));
    CHECK_OK(lc_result_str(r, 0, c, row, buf, sizeof buf, NULL));
    return buf;
}

static void test_version(void) {
    CHECK(strcmp(lc_version(), LC_VERSION) == 0, "lc_version %s != LC_VERSION %s", lc_version(),
          LC_VERSION);
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", LC_VERSION_MAJOR, LC_VERSION_MINOR, LC_VERSION_PATCH);
    CHECK(strcmp(lc_version(), want) == 0, "lc_version %s != macros %s", lc_version(), want);
    CHECK(LC_VERSION_MAJOR == 1, "the ABI of liblocalcare.so.1");
    CHECK(LC_SHIFT_RUN == 0 && LC_SHIFT_BREAK_EVEN == 1 && LC_SHIFT_MINIMUM_SAVINGS_RATE == 2 &&
              LC_SHIFT_TARGET == 3,
          "question values are stable");
    CHECK(strcmp(lc_status_name(LC_OK), "LC_OK") == 0, "status name");
    CHECK(strcmp(lc_status_name(LC_PANIC), "LC_PANIC") == 0, "status name");
    CHECK(strcmp(lc_status_name(12345), "LC_UNKNOWN_STATUS") == 0, "unknown status name");
    CHECK(LC_OK == 0 && LC_NULL_ARGUMENT == 1 && LC_INVALID_UTF8 == 2 && LC_RULESET_ERROR == 3 &&
              LC_INPUT_ERROR == 4 && LC_ALLOCATION_ERROR == 5 && LC_SETTLEMENT_ERROR == 6 &&
              LC_BUFFER_TOO_SMALL == 7 && LC_OUT_OF_RANGE == 8 && LC_PANIC == 9 &&
              LC_NOT_FOUND == 10 && LC_SHIFT_ERROR == 11 && LC_APPRAISAL_ERROR == 12 &&
              LC_BRIDGE_ERROR == 13,
          "status values are stable");
    CHECK(strcmp(lc_status_name(LC_SHIFT_ERROR), "LC_SHIFT_ERROR") == 0, "status name");
    CHECK(strcmp(lc_status_name(LC_APPRAISAL_ERROR), "LC_APPRAISAL_ERROR") == 0, "status name");
    CHECK(strcmp(lc_status_name(LC_BRIDGE_ERROR), "LC_BRIDGE_ERROR") == 0, "status name");
}

static void test_free_null(void) {
    lc_ruleset_free(NULL);
    lc_result_free(NULL);
    lc_builder_free(NULL);
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
    char buf[64];
    CHECK_STATUS(lc_classify(NULL, p, NULL, 1, t), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify(rs, NULL, NULL, 1, t), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify(rs, p, NULL, 1, NULL), LC_NULL_ARGUMENT);
    CHECK_OK(lc_classify(rs, NULL, NULL, 0, NULL)); /* nothing to classify */
    CHECK_STATUS(lc_classify_explain(NULL, 1, 0, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_explain(rs, 1, 0, NULL, 10, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_last_error_message(NULL, 10, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_table_column(NULL, 3, 0, buf, sizeof buf, &z, NULL), LC_NULL_ARGUMENT);

    /* The builder. */
    lc_builder *b = NULL;
    int64_t v[1] = {1};
    lc_str txt[1] = {S("x")};
    struct ArrowArrayStream st;
    CHECK_STATUS(lc_builder_new(NULL), LC_NULL_ARGUMENT);
    CHECK_OK(lc_builder_new(&b));
    CHECK_STATUS(lc_builder_i64(NULL, "a", 1, v, 1), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_builder_i64(b, NULL, 1, v, 1), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_builder_i64(b, "a", 1, NULL, 1), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_builder_text(NULL, "a", 1, txt, 1), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_builder_text(b, "a", 1, NULL, 1), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_builder_text(b, "\xff", 1, txt, 1), LC_INVALID_UTF8);
    lc_str bad[2] = {S("ok"), {"\xc3\x28", 2}};
    CHECK_STATUS(lc_builder_text(b, "a", 1, bad, 2), LC_INVALID_UTF8);
    CHECK(strstr(last_error(), "values[1]") != NULL, "names the index: %s", last_error());
    CHECK_STATUS(lc_builder_finish(NULL, &st), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_builder_finish(b, NULL), LC_NULL_ARGUMENT);
    lc_builder_free(b);

    /* The commands. */
    lc_result *res = NULL;
    struct ArrowArrayStream fp = footprint();
    CHECK_STATUS(lc_validate_arrow(NULL, &fp, &res), LC_NULL_ARGUMENT);
    CHECK(fp.release == NULL, "the input is released on a NULL argument too");
    CHECK_STATUS(lc_validate_arrow(rs, NULL, &res), LC_NULL_ARGUMENT);
    fp = footprint();
    CHECK_STATUS(lc_validate_arrow(rs, &fp, NULL), LC_NULL_ARGUMENT);
    fp = footprint();
    CHECK_STATUS(lc_allocate_arrow(NULL, &fp, 100, NULL, NULL, S(NULL), &res), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_allocate_arrow(rs, NULL, 100, NULL, NULL, S(NULL), &res), LC_NULL_ARGUMENT);
    CHECK(strstr(last_error(), "`footprint`") != NULL, "names it: %s", last_error());
    fp = footprint();
    CHECK_STATUS(lc_allocate_arrow(rs, &fp, 100, NULL, NULL, S(NULL), NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_settle_arrow(rs, NULL, &res), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_sweep_arrow(rs, NULL, NULL, NULL, NULL, &res), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_shift_arrow(rs, NULL, NULL, LC_SHIFT_RUN, LC_NO_VALUE, &res), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_appraise_arrow(rs, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, 0,
                                   S(NULL), &res),
                 LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_arrow(rs, NULL, false, &res), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_needs_arrow(rs, NULL, &res), LC_NULL_ARGUMENT);
    CHECK(res == NULL, "no result made");

    /* The result's getters. */
    fp = footprint();
    CHECK_OK(lc_validate_arrow(rs, &fp, &res));
    bool isnull;
    int64_t i64;
    CHECK_STATUS(lc_result_table_count(NULL, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_table_count(res, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_table_name(NULL, 0, &s), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_table_name(res, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_table_index(NULL, "findings", 8, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_table_index(res, NULL, 8, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_table_index(res, "findings", 8, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_row_count(NULL, 0, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_row_count(res, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_column_count(NULL, 0, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_column_count(res, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_column_name(NULL, 0, 0, &s), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_column_name(res, 0, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_column_index(NULL, 0, "code", 4, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_column_index(res, 0, NULL, 4, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_column_index(res, 0, "code", 4, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_is_null(NULL, 0, 0, 0, &isnull), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_is_null(res, 0, 0, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_i64(NULL, 0, 0, 0, &i64), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_str(NULL, 0, 0, 0, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_str(res, 0, 0, 0, NULL, 5, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_export(NULL, 0, &st), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_export(res, 0, NULL), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_text(NULL, buf, sizeof buf, &z), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_result_text(res, NULL, 5, &z), LC_NULL_ARGUMENT);
    lc_result_free(res);
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
    CHECK_STATUS(lc_classify_explain(rs, 30000, t1, tiny, sizeof tiny, &needed),
                 LC_BUFFER_TOO_SMALL);
    CHECK(strcmp(tiny, "abc") == 0, "untouched");

    /* A report's text and a cell's text. */
    struct ArrowArrayStream fp = footprint();
    lc_result *rep = NULL;
    CHECK_OK(lc_validate_arrow(rs, &fp, &rep));
    CHECK_STATUS(lc_result_text(rep, tiny, sizeof tiny, &needed), LC_BUFFER_TOO_SMALL);
    CHECK(strcmp(tiny, "abc") == 0, "untouched");
    text = malloc(needed + 1);
    CHECK_OK(lc_result_text(rep, text, needed + 1, &needed));
    CHECK(strstr(text, "7 units, 3 practices, population 450,000; 1 aco (feasible 1..=1); "
                       "0 errors, 0 warnings, 1 info") != NULL,
          "summary: %s", text);
    free(text);
    size_t rows = 0;
    CHECK_OK(lc_result_row_count(rep, 0, &rows));
    CHECK(rows == 1 && strcmp(cell_text(rep, 0, "code"), "LC304") == 0, "one finding, LC304");
    CHECK_STATUS(lc_result_str(rep, 0, 0, 0, tiny, 2, &needed), LC_BUFFER_TOO_SMALL);
    CHECK(needed == 5, "LC304 needs 5 bytes: %zu", needed);
    lc_result_free(rep);
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
    char buf[8];
    CHECK_STATUS(lc_classify_explain(rs, 1, (uint64_t)1 << 63, buf, sizeof buf, NULL),
                 LC_OUT_OF_RANGE);
}

/* Exact fractional populations (NHS England's adjusted populations have up to 9
 * decimal places): as text to lc_classify_exact and lc_classify_explain_exact, and as a
 * text column of a table; bands compare exactly, bad text is refused naming where. */
static void test_classify_exact(const lc_ruleset *rs) {
    uint64_t t1 = 0;
    lc_str t1_caps[] = {S("enhanced_in_hours"), S("extended_hours")};
    CHECK_OK(lc_ruleset_capability_set(rs, t1_caps, 2, &t1));
    /* A81001 and Y00212's `pop 2022/23` in NHS England's 2024/25 practice file (OGL
     * v3.0); 19,999.5 is below the extended practice minimum of 20,000. */
    lc_str p[4] = {S("4068.906409"), S("0.081775254"), S("19999.5"), S("20000")};
    uint64_t c[4] = {0, 0, t1, t1};
    uint8_t out[4];
    CHECK_OK(lc_classify_exact(rs, p, c, 4, out));
    CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 1, "tiers %d %d %d %d", out[0],
          out[1], out[2], out[3]);
    char buf[512];
    size_t needed = 0;
    CHECK_OK(lc_classify_explain_exact(rs, "19999.5", 7, t1, buf, sizeof buf, &needed));
    CHECK(strstr(buf, "population 19,999.5: tier gp_practice") != NULL, "explain: %s", buf);
    CHECK(strstr(buf, "extended_practice: population 19,999.5 below the minimum 20,000") != NULL,
          "explain: %s", buf);
    /* Refused: 10 decimal places, negative, not a number; nothing written. */
    lc_str bad[3] = {S("1"), S("0.1234567891"), S("2")};
    memset(out, 0xAA, sizeof out);
    CHECK_STATUS(lc_classify_exact(rs, bad, NULL, 3, out), LC_INPUT_ERROR);
    CHECK(strstr(last_error(), "populations[1]") != NULL &&
              strstr(last_error(), "has 10 decimal places") != NULL,
          "message: %s", last_error());
    CHECK(out[0] == 0xAA, "no partial write");
    CHECK_STATUS(lc_classify_explain_exact(rs, "-5", 2, 0, buf, sizeof buf, NULL), LC_INPUT_ERROR);
    CHECK(strstr(last_error(), "population -5 is negative") != NULL, "message: %s", last_error());
    CHECK_STATUS(lc_classify_explain_exact(rs, "1,5", 3, 0, buf, sizeof buf, NULL), LC_INPUT_ERROR);
    CHECK_STATUS(lc_classify_exact(NULL, p, NULL, 1, out), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_exact(rs, NULL, NULL, 1, out), LC_NULL_ARGUMENT);
    CHECK_STATUS(lc_classify_explain_exact(rs, NULL, 3, 0, buf, sizeof buf, NULL),
                 LC_NULL_ARGUMENT);
    /* A table's population column as text: exact, echoed as text. */
    lc_builder *b = NULL;
    struct ArrowArrayStream units;
    lc_result *res = NULL;
    lc_str ids[2] = {S("A81001"), S("Y00212")};
    CHECK_OK(lc_builder_new(&b));
    CHECK_OK(lc_builder_text(b, "unit_id", 7, ids, 2));
    CHECK_OK(lc_builder_text(b, "population", 10, p, 2));
    CHECK_OK(lc_builder_finish(b, &units));
    CHECK_OK(lc_classify_arrow(rs, &units, false, &res));
    CHECK(strcmp(cell_text(res, 1, "population"), "0.081775254") == 0, "echoed: %s",
          cell_text(res, 1, "population"));
    lc_result_free(res);
    lc_str ten[1] = {S("4068.9064090001")};
    CHECK_OK(lc_builder_text(b, "population", 10, ten, 1));
    CHECK_OK(lc_builder_finish(b, &units));
    CHECK_STATUS(lc_classify_arrow(rs, &units, false, &res), LC_INPUT_ERROR);
    CHECK(strstr(last_error(), "units: column `population`, row 0: population 4068.9064090001 has "
                               "10 decimal places") != NULL,
          "message: %s", last_error());
    lc_builder_free(b);
}

/* Allocation through lc_builder and lc_result: the budget adds up, every cell reads
 * back, the errors say where, and a bad table is refused with nothing made. */
static void test_allocate(const lc_ruleset *rs) {
    struct ArrowArrayStream fp = footprint();
    lc_result *a = NULL;
    CHECK_OK(lc_allocate_arrow(rs, &fp, 1000000, NULL, NULL, S("P1"), &a));
    CHECK(fp.release == NULL, "moved in");
    size_t tables = 0, rows = 0, t = 9, cols = 0;
    CHECK_OK(lc_result_table_count(a, &tables));
    CHECK_OK(lc_result_table_index(a, "allocation", 10, &t));
    CHECK_OK(lc_result_row_count(a, 0, &rows));
    CHECK_OK(lc_result_column_count(a, 0, &cols));
    CHECK(tables == 1 && t == 0 && rows >= N && cols > 5, "%zu tables, %zu rows", tables, rows);
    CHECK(strcmp(cell_text(a, 0, "unit_id"), "A1") == 0, "the ACO first");
    CHECK(cell_i64(a, 0, "allocation_pence") == 800000, "ACO share %lld",
          (long long)cell_i64(a, 0, "allocation_pence"));
    /* The top of the tree (no parent: the ACO and the commissioner's pots) is the budget. */
    int64_t sum = 0;
    size_t parent = 0;
    CHECK_OK(lc_result_column_index(a, 0, "parent_id", 9, &parent));
    for (size_t i = 0; i < rows; i++) {
        bool top = false;
        CHECK_OK(lc_result_is_null(a, 0, parent, i, &top));
        if (top) sum += cell_i64(a, i, "allocation_pence");
    }
    CHECK(sum == 1000000, "the ACOs and pots add up to the budget: %lld", (long long)sum);
    size_t needed = 0;
    CHECK_STATUS(lc_result_text(a, NULL, 0, &needed), LC_BUFFER_TOO_SMALL);
    char *text = malloc(needed + 1);
    CHECK_OK(lc_result_text(a, text, needed + 1, NULL));
    CHECK(strstr(text, "P1") != NULL, "explains P1: %s", text);
    free(text);
    /* Typed getters refuse what is not there. */
    size_t c = 0;
    int64_t v = 42;
    CHECK_STATUS(lc_result_column_index(a, 0, "nope", 4, &c), LC_NOT_FOUND);
    CHECK(strstr(last_error(), "allocation_pence") != NULL, "lists the columns: %s", last_error());
    CHECK_OK(lc_result_column_index(a, 0, "unit_id", 7, &c));
    CHECK_STATUS(lc_result_i64(a, 0, c, 0, &v), LC_OUT_OF_RANGE);
    CHECK(v == 42 && strstr(last_error(), "lc_result_str") != NULL, "not integers: %s",
          last_error());
    CHECK_STATUS(lc_result_i64(a, 1, 0, 0, &v), LC_OUT_OF_RANGE);
    CHECK_STATUS(lc_result_i64(a, 0, cols, 0, &v), LC_OUT_OF_RANGE);
    CHECK_STATUS(lc_result_i64(a, 0, 0, rows, &v), LC_OUT_OF_RANGE);
    CHECK_STATUS(lc_result_table_index(a, "hurdles", 7, &t), LC_NOT_FOUND);
    /* Exported twice: the result keeps its own copy. */
    for (int k = 0; k < 2; k++) {
        struct ArrowArrayStream out;
        struct ArrowSchema schema;
        CHECK_OK(lc_result_export(a, 0, &out));
        CHECK(out.get_schema(&out, &schema) == 0 && schema.n_children == (int64_t)cols, "schema");
        schema.release(&schema);
        out.release(&out);
    }
    lc_result_free(a);

    /* Errors: an unknown unit to explain, a negative budget, a text population. */
    lc_result *none = (lc_result *)&fp;
    fp = footprint();
    CHECK_STATUS(lc_allocate_arrow(rs, &fp, 100, NULL, NULL, S("nobody"), &none),
                 LC_ALLOCATION_ERROR);
    fp = footprint();
    CHECK_STATUS(lc_allocate_arrow(rs, &fp, -1, NULL, NULL, S(NULL), &none), LC_ALLOCATION_ERROR);
    CHECK(none == (lc_result *)&fp, "nothing made on error");
    lc_builder *b = NULL;
    lc_str words[1] = {S("lots")};
    CHECK_OK(lc_builder_new(&b));
    CHECK_OK(lc_builder_text(b, "unit_id", 7, ids, 1));
    CHECK_OK(lc_builder_text(b, "population", 10, words, 1));
    CHECK_OK(lc_builder_finish(b, &fp));
    CHECK_STATUS(lc_classify_arrow(rs, &fp, true, &none), LC_INPUT_ERROR);
    CHECK(strstr(last_error(),
                 "units: column `population`, row 0: population `lots` is not a number of people") !=
              NULL,
          "message: %s", last_error());
    /* Columns of different lengths: refused at finish, and the builder keeps them. */
    CHECK_OK(lc_builder_i64(b, "population", 10, pops, N));
    CHECK_OK(lc_builder_text(b, "unit_id", 7, ids, 1));
    CHECK_STATUS(lc_builder_finish(b, &fp), LC_INPUT_ERROR);
    lc_builder_free(b);
}

typedef struct {
    const lc_ruleset *rs;
    const lc_result *shared; /* read by every thread */
    int index;
} job;

static void *worker(void *arg) {
    const job *j = arg;
    const lc_ruleset *rs = j->rs;
    for (int round = 0; round < 20; round++) {
        uint64_t p[3] = {5000, 30000 + (uint64_t)j->index, 450000};
        uint8_t t[3];
        CHECK_OK(lc_classify(rs, p, NULL, 3, t));
        struct ArrowArrayStream fp = footprint();
        lc_result *a = NULL;
        int64_t budget = 1000000 + j->index;
        CHECK_OK(lc_allocate_arrow(rs, &fp, budget, NULL, NULL, S(NULL), &a));
        if (a) CHECK(cell_i64(a, 0, "allocation_pence") > 0, "thread %d allocation", j->index);
        lc_result_free(a);
        char name[32];
        int len = snprintf(name, sizeof name, "thread-%d-round-%d", j->index, round);
        lc_ruleset *none = NULL;
        CHECK_STATUS(lc_ruleset_builtin(name, (size_t)len, &none), LC_RULESET_ERROR);
        CHECK(strstr(last_error(), name) != NULL, "thread %d sees its own error: %s", j->index,
              last_error());
        /* Read the shared result. */
        CHECK(cell_i64(j->shared, 0, "allocation_pence") == 800000, "shared allocation");
        struct ArrowArrayStream out;
        CHECK_OK(lc_result_export(j->shared, 0, &out));
        out.release(&out);
    }
    return NULL;
}

static void test_threads(const lc_ruleset *rs) {
    pthread_t th[8];
    job jobs[8];
    struct ArrowArrayStream fp = footprint();
    lc_result *shared = NULL;
    CHECK_OK(lc_allocate_arrow(rs, &fp, 1000000, NULL, NULL, S(NULL), &shared));
    if (!shared) return;
    for (int i = 0; i < 8; i++) {
        jobs[i].rs = rs;
        jobs[i].shared = shared;
        jobs[i].index = i;
        CHECK(pthread_create(&th[i], NULL, worker, &jobs[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < 8; i++) CHECK(pthread_join(th[i], NULL) == 0, "pthread_join");
    lc_result_free(shared);
}

int main(int argc, char **argv) {
    int threads_only = argc == 3 && strcmp(argv[2], "--threads") == 0;
    if (argc != 2 && !threads_only) {
        fprintf(stderr, "usage: %s RULESET_TOML_PATH [--threads]\n", argv[0]);
        return 2;
    }
    ruleset_path = argv[1];
    setup();
    if (threads_only) {
        /* Only the 8-thread test, for the thread checker (helgrind) in scripts/test-c. */
        lc_ruleset *shared = NULL;
        CHECK_OK(lc_ruleset_builtin(BUILTIN, strlen(BUILTIN), &shared));
        if (!shared) return check_report("test_abi --threads");
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
    test_lookups(rs);
    test_null_arguments(rs);
    test_buffers(rs);
    test_classify(rs);
    test_classify_exact(rs);
    test_allocate(rs);
    test_threads(rs);
    lc_ruleset_free(rs);
    return check_report("test_abi");
}
