/* localcare from C: classify a few units (plain arrays, the hot path) and allocate a
 * small footprint, in pence: its tables made from plain C arrays with lc_builder, the
 * result read with lc_result's getters. No Arrow library is needed; a program that has
 * one passes its own ArrowArrayStreams instead of lc_builder's.
 * Build with the Makefile here (pkg-config --cflags --libs localcare). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <localcare.h>

/* Prints the failing call's status and the library's message, and returns 1. */
static int fail(const char *what, lc_status s) {
    char message[1024];
    if (lc_last_error_message(message, sizeof message, NULL) != LC_OK) message[0] = '\0';
    fprintf(stderr, "%s: %s: %s\n", what, lc_status_name(s), message);
    return 1;
}

#define TRY(call)                                                                          \
    do {                                                                                   \
        lc_status s_ = (call);                                                             \
        if (s_ != LC_OK) return fail(#call, s_);                                           \
    } while (0)

static lc_str str(const char *s) {
    lc_str r = {s, strlen(s)};
    return r;
}

static int run(lc_ruleset *rs) {
    /* Capability sets are 64-bit masks; look the bits up by id. */
    lc_str t1[] = {str("enhanced_in_hours"), str("extended_hours")};
    lc_str hub[] = {str("mdt"), str("mental_health"), str("seven_day")};
    lc_str aco[] = {str("population_accountability"), str("capitated_budget")};
    uint64_t t1_caps = 0, hub_caps = 0, aco_caps = 0;
    TRY(lc_ruleset_capability_set(rs, t1, 2, &t1_caps));
    TRY(lc_ruleset_capability_set(rs, hub, 3, &hub_caps));
    TRY(lc_ruleset_capability_set(rs, aco, 2, &aco_caps));

    /* Classify four units held as arrays. */
    const char *names[] = {"practice", "federation", "big federation", "hub"};
    uint64_t populations[] = {8000, 30000, 55000, 120000};
    uint64_t capabilities[] = {0, t1_caps, t1_caps, t1_caps | hub_caps};
    uint8_t tiers[4];
    TRY(lc_classify(rs, populations, capabilities, 4, tiers));
    printf("classify\n");
    for (size_t i = 0; i < 4; i++) {
        lc_str tier;
        TRY(lc_ruleset_tier_id(rs, tiers[i], &tier));
        printf("  %-15s %7" PRIu64 "  %s\n", names[i], populations[i], tier.ptr);
    }

    /* Allocate 1,000,000.00 pounds over one ACO, three hubs and three practices: the
     * footprint and needs tables (docs/columns.md) from plain arrays. */
    enum { N = 7 };
    lc_str ids[N] = {str("ACO1"), str("HUB1"), str("HUB2"), str("HUB3"),
                     str("P1"),   str("P2"),   str("P3")};
    lc_str parents[N] = {{NULL, 0}, str("ACO1"), str("ACO1"), str("ACO1"),
                         str("HUB1"), str("HUB2"), str("HUB3")};
    lc_str declared[N] = {str("aco"),         str("mcp_hub"),     str("mcp_hub"),
                          str("mcp_hub"),     str("gp_practice"), str("gp_practice"),
                          str("gp_practice")};
    int64_t pops[N] = {LC_NO_VALUE, LC_NO_VALUE, LC_NO_VALUE, LC_NO_VALUE, 180000, 150000, 120000};
    lc_str caps[N] = {str("population_accountability;capitated_budget"),
                      str("mdt;mental_health;seven_day"), str("mdt;mental_health;seven_day"),
                      str("mdt;mental_health;seven_day"), {NULL, 0}, {NULL, 0}, {NULL, 0}};
    /* P3 serves a population in greater need (decimal text: exact). */
    lc_str need_unit[1] = {str("P3")}, need_index[1] = {str("1.4")};
    struct ArrowArrayStream footprint, needs;
    lc_builder *b = NULL;
    TRY(lc_builder_new(&b));
    lc_status s = lc_builder_text(b, "unit_id", 7, ids, N);
    if (s == LC_OK) s = lc_builder_text(b, "parent_id", 9, parents, N);
    if (s == LC_OK) s = lc_builder_text(b, "declared_tier", 13, declared, N);
    if (s == LC_OK) s = lc_builder_i64(b, "population", 10, pops, N);
    if (s == LC_OK) s = lc_builder_text(b, "capabilities", 12, caps, N);
    if (s == LC_OK) s = lc_builder_finish(b, &footprint);
    if (s == LC_OK) s = lc_builder_text(b, "unit_id", 7, need_unit, 1);
    if (s == LC_OK) s = lc_builder_text(b, "need_index", 10, need_index, 1);
    if (s == LC_OK) s = lc_builder_finish(b, &needs);
    lc_builder_free(b);
    if (s != LC_OK) return fail("lc_builder", s);
    int64_t budget = 100000000;

    /* The streams are moved in: the library releases them. */
    lc_result *allocation = NULL;
    lc_str none = {NULL, 0};
    TRY(lc_allocate_arrow(rs, &footprint, budget, &needs, NULL, none, &allocation));
    size_t rows = 0, unit = 0, tier = 0, parent = 0, pence = 0;
    s = lc_result_row_count(allocation, 0, &rows);
    if (s == LC_OK) s = lc_result_column_index(allocation, 0, "unit_id", 7, &unit);
    if (s == LC_OK) s = lc_result_column_index(allocation, 0, "tier", 4, &tier);
    if (s == LC_OK) s = lc_result_column_index(allocation, 0, "parent_id", 9, &parent);
    if (s == LC_OK) s = lc_result_column_index(allocation, 0, "allocation_pence", 16, &pence);
    printf("allocate %" PRId64 " pence\n", budget);
    int64_t total = 0;
    for (size_t i = 0; s == LC_OK && i < rows; i++) {
        char id[64], tier_id[64];
        int64_t p = 0;
        bool top = false;
        s = lc_result_str(allocation, 0, unit, i, id, sizeof id, NULL);
        if (s == LC_OK) s = lc_result_str(allocation, 0, tier, i, tier_id, sizeof tier_id, NULL);
        if (s == LC_OK) s = lc_result_i64(allocation, 0, pence, i, &p);
        if (s == LC_OK) s = lc_result_is_null(allocation, 0, parent, i, &top);
        printf("  %-18s %-22s %12" PRId64 " pence\n", id, tier_id, p);
        if (top) total += p; /* the ACOs and the commissioner's pots */
    }
    lc_result_free(allocation);
    if (s != LC_OK) return fail("lc_result", s);
    printf("ACOs + pots = %" PRId64 " pence: %s\n", total,
           total == budget ? "adds up to the budget" : "DOES NOT ADD UP");
    return total == budget ? 0 : 1;
}

int main(void) {
    printf("localcare %s\n", lc_version());
    lc_ruleset *rs = NULL;
    const char *name = "kent-medway-2017";
    TRY(lc_ruleset_builtin(name, strlen(name), &rs));
    int rc = run(rs);
    lc_ruleset_free(rs);
    return rc;
}
