/* localcare from C: classify a few units and allocate a small footprint, in pence.
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
        char reasons[512];
        TRY(lc_ruleset_tier_id(rs, tiers[i], &tier));
        TRY(lc_classify_reasons(rs, populations[i], capabilities[i], reasons, sizeof reasons,
                                NULL));
        printf("  %-15s %7" PRIu64 "  %-17s %s\n", names[i], populations[i], tier.ptr, reasons);
    }

    /* Allocate 1,000,000.00 pounds over one ACO, three hubs and three practices. */
    enum { N = 7 };
    lc_str ids[N] = {str("ACO1"), str("HUB1"), str("HUB2"), str("HUB3"),
                     str("P1"),   str("P2"),   str("P3")};
    size_t parents[N] = {LC_NO_PARENT, 0, 0, 0, 1, 2, 3};
    lc_str declared[N] = {str("aco"),         str("mcp_hub"),     str("mcp_hub"),
                          str("mcp_hub"),     str("gp_practice"), str("gp_practice"),
                          str("gp_practice")};
    int64_t pops[N] = {LC_NO_POPULATION, LC_NO_POPULATION, LC_NO_POPULATION, LC_NO_POPULATION,
                       180000, 150000, 120000};
    uint64_t caps[N] = {aco_caps, hub_caps, hub_caps, hub_caps, 0, 0, 0};
    lc_footprint footprint = {N, ids, parents, declared, pops, caps};
    /* P3 serves a population in greater need (decimal text: exact). */
    lc_str need_index[N] = {{NULL, 0}};
    need_index[6] = str("1.4");
    lc_needs needs = {need_index, NULL, NULL, 0, NULL, NULL};
    int64_t budget = 100000000;

    lc_allocation *allocation = NULL;
    TRY(lc_allocate(rs, &footprint, &needs, NULL, budget, &allocation));
    int64_t pence[N], retained[N];
    lc_allocation_columns columns = {pence, NULL, retained, NULL, NULL};
    lc_status s = lc_allocation_copy_columns(allocation, N, &columns);
    size_t pots = 0;
    if (s == LC_OK) s = lc_allocation_pot_count(allocation, &pots);
    if (s != LC_OK) {
        lc_allocation_free(allocation);
        return fail("lc_allocation_copy_columns", s);
    }
    printf("allocate %" PRId64 " pence\n", budget);
    int64_t total = 0;
    for (size_t i = 0; i < N; i++) {
        printf("  %-5s %-12s %12" PRId64 " pence\n", ids[i].ptr, declared[i].ptr, pence[i]);
        if (parents[i] == LC_NO_PARENT) total += pence[i];
    }
    for (size_t k = 0; k < pots; k++) {
        lc_pot pot;
        if (lc_allocation_pot(allocation, k, &pot) == LC_OK) {
            printf("  %-18s %12" PRId64 " pence (commissioner)\n", pot.id.ptr,
                   pot.allocation_pence);
            total += pot.allocation_pence;
        }
    }
    lc_allocation_free(allocation);
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
