/* Runs every shared vector in tests/vectors/{classify,validate,allocate,settle,shift,appraise}/ through
 * the C ABI and checks the same expected values as the Rust runner
 * (crates/localcare/tests/vectors.rs), to the penny. The format is in
 * tests/vectors/README.md. JSON is read with cJSON (Debian's libcjson-dev).
 *
 * usage: test_vectors VECTORS_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdint.h>

#include <cJSON.h>

#include "check.h"
#include "vectors.h"

/* An exact integer from a JSON number (vectors keep them below 2^53). */
static int64_t json_i64(const cJSON *v) {
    double d = v ? v->valuedouble : 0;
    if (!cJSON_IsNumber(v) || d != floor(d) || fabs(d) > 9007199254740992.0) {
        CHECK(0, "a vector number is not an exact integer");
        return 0;
    }
    return (int64_t)d;
}


static lc_ruleset *load_ruleset(const cJSON *v, const char *name) {
    lc_ruleset *rs = NULL;
    const char *builtin = json_str(v, "ruleset");
    const char *toml = json_str(v, "ruleset_toml");
    if (builtin) {
        CHECK_OK(lc_ruleset_builtin(builtin, strlen(builtin), &rs));
    } else if (toml) {
        CHECK_OK(lc_ruleset_from_toml(toml, strlen(toml), &rs));
    } else {
        CHECK(0, "%s: no ruleset", name);
    }
    return rs;
}

/* The capability set of a JSON list of ids; an id the ruleset does not declare becomes
 * the first undeclared bit, which is how a C caller holds one. */
static uint64_t caps_of(const lc_ruleset *rs, const cJSON *list) {
    uint64_t set = 0;
    size_t count = 0;
    CHECK_OK(lc_ruleset_capability_count(rs, &count));
    const cJSON *c;
    cJSON_ArrayForEach(c, list) {
        uint32_t bit = 0;
        lc_status s = lc_ruleset_capability_bit(rs, c->valuestring, strlen(c->valuestring), &bit);
        if (s == LC_OK) {
            set |= (uint64_t)1 << bit;
        } else {
            CHECK(s == LC_NOT_FOUND && count < 64, "capability %s: %s", c->valuestring,
                  last_error());
            set |= (uint64_t)1 << count;
        }
    }
    return set;
}

static const char *band_name(lc_band_status b) {
    switch (b) {
    case LC_BAND_IN_BAND: return "in_band";
    case LC_BAND_OVERLAP: return "overlap";
    case LC_BAND_GAP: return "gap";
    case LC_BAND_OUTSIDE_ADVISORY_BAND: return "outside_advisory_band";
    default: return "?";
    }
}

static void run_classify(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(v, "units");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(v, "expected");
    size_t n = (size_t)cJSON_GetArraySize(units);
    uint64_t *pops = calloc(n + 1, sizeof *pops);
    uint64_t *caps = calloc(n + 1, sizeof *caps);
    uint8_t *tiers = calloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) {
        const cJSON *u = cJSON_GetArrayItem(units, (int)i);
        pops[i] = (uint64_t)json_i64(cJSON_GetObjectItemCaseSensitive(u, "population"));
        caps[i] = caps_of(rs, cJSON_GetObjectItemCaseSensitive(u, "capabilities"));
    }
    CHECK_OK(lc_classify(rs, pops, caps, n, tiers));
    CHECK(cJSON_GetArraySize(expected) == (int)n, "%s: expected rows", name);
    for (size_t i = 0; i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(expected, (int)i);
        const char *uid = json_str(e, "unit_id");
        lc_str tier_id = {NULL, 0};
        CHECK_OK(lc_ruleset_tier_id(rs, tiers[i], &tier_id));
        CHECK(str_eq(tier_id, json_str(e, "tier")), "%s %s: batch tier %.*s, expected %s",
              name, uid, (int)tier_id.len, tier_id.ptr, json_str(e, "tier"));
        lc_classification c;
        CHECK_OK(lc_classify_unit(rs, pops[i], caps[i], &c));
        CHECK(c.tier == tiers[i] && str_eq(c.tier_id, json_str(e, "tier")),
              "%s %s: single tier disagrees", name, uid);
        CHECK(strcmp(band_name(c.band_status), json_str(e, "band_status")) == 0,
              "%s %s: band %s, expected %s", name, uid, band_name(c.band_status),
              json_str(e, "band_status"));
        char reasons[2048];
        size_t needed = 0;
        CHECK_OK(lc_classify_reasons(rs, pops[i], caps[i], reasons, sizeof reasons, &needed));
        CHECK(strcmp(reasons, json_str(e, "reasons")) == 0 && needed == strlen(reasons),
              "%s %s: reasons\n  got      %s\n  expected %s", name, uid, reasons,
              json_str(e, "reasons"));
    }
    free(pops);
    free(caps);
    free(tiers);
    lc_ruleset_free(rs);
}

/* A footprint's columns, pointing into the cJSON tree. */
typedef struct {
    size_t n;
    lc_str *ids;
    size_t *parents;
    lc_str *tiers;
    int64_t *pops;
    uint64_t *caps;
    lc_footprint fp;
} columns;

static size_t index_of(const columns *c, const char *id) {
    for (size_t i = 0; i < c->n; i++)
        if (str_eq(c->ids[i], id)) return i;
    return SIZE_MAX;
}

static void read_columns(const lc_ruleset *rs, const cJSON *units, columns *c, const char *name) {
    size_t n = (size_t)cJSON_GetArraySize(units);
    c->n = n;
    c->ids = calloc(n + 1, sizeof *c->ids);
    c->parents = calloc(n + 1, sizeof *c->parents);
    c->tiers = calloc(n + 1, sizeof *c->tiers);
    c->pops = calloc(n + 1, sizeof *c->pops);
    c->caps = calloc(n + 1, sizeof *c->caps);
    for (size_t i = 0; i < n; i++) {
        const cJSON *u = cJSON_GetArrayItem(units, (int)i);
        c->ids[i] = S(json_str(u, "unit_id"));
        c->tiers[i] = S(json_str(u, "declared_tier"));
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(u, "population");
        c->pops[i] = cJSON_IsNull(p) ? LC_NO_POPULATION : json_i64(p);
        c->caps[i] = caps_of(rs, cJSON_GetObjectItemCaseSensitive(u, "capabilities"));
    }
    for (size_t i = 0; i < n; i++) {
        const char *parent = json_str(cJSON_GetArrayItem(units, (int)i), "parent_id");
        c->parents[i] = parent ? index_of(c, parent) : LC_NO_PARENT;
        /* The C face names parents by index, so a vector's parent must be a unit. */
        CHECK(!parent || c->parents[i] != SIZE_MAX, "%s: parent %s is not a unit", name, parent);
    }
    c->fp.len = n;
    c->fp.unit_ids = c->ids;
    c->fp.parents = c->parents;
    c->fp.declared_tiers = c->tiers;
    c->fp.populations = c->pops;
    c->fp.capabilities = c->caps;
}

static void free_columns(columns *c) {
    free(c->ids);
    free(c->parents);
    free(c->tiers);
    free(c->pops);
    free(c->caps);
}

static void run_validate(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    columns c;
    read_columns(rs, cJSON_GetObjectItemCaseSensitive(v, "footprint"), &c, name);
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(v, "expected");
    lc_report *report = NULL;
    CHECK_OK(lc_validate(rs, &c.fp, &report));
    if (report) {
        bool has_errors = false;
        CHECK_OK(lc_report_has_errors(report, &has_errors));
        CHECK(has_errors == cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(expected, "has_errors")),
              "%s: has_errors", name);
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(expected, "findings");
        size_t count = 0;
        CHECK_OK(lc_report_finding_count(report, &count));
        CHECK(count == (size_t)cJSON_GetArraySize(want), "%s: %zu findings, expected %d", name,
              count, cJSON_GetArraySize(want));
        for (size_t i = 0; i < count && i < (size_t)cJSON_GetArraySize(want); i++) {
            lc_finding f;
            CHECK_OK(lc_report_finding(report, i, &f));
            const cJSON *w = cJSON_GetArrayItem(want, (int)i);
            const char *code = cJSON_GetArrayItem(w, 0)->valuestring;
            const cJSON *unit = cJSON_GetArrayItem(w, 1);
            CHECK(str_eq(f.code, code), "%s: finding %zu is %.*s, expected %s", name, i,
                  (int)f.code.len, f.code.ptr, code);
            if (cJSON_IsNull(unit)) {
                CHECK(f.unit_id.ptr == NULL && f.unit_index == LC_NO_UNIT,
                      "%s: finding %zu should name no unit", name, i);
            } else {
                CHECK(str_eq(f.unit_id, unit->valuestring), "%s: finding %zu unit %s", name, i,
                      unit->valuestring);
                CHECK(f.unit_index < c.n && str_eq(c.ids[f.unit_index], unit->valuestring),
                      "%s: finding %zu unit_index", name, i);
            }
            CHECK(f.message.ptr && f.message.ptr[f.message.len] == '\0' && f.message.len > 0,
                  "%s: finding %zu message", name, i);
        }
        lc_aco_count_range range;
        CHECK_OK(lc_report_aco_count_range(report, &range));
        char text[64] = "";
        switch (range.kind) {
        case LC_ACO_RANGE_FEASIBLE:
            if (range.has_max)
                snprintf(text, sizeof text, "%llu..=%llu", (unsigned long long)range.min,
                         (unsigned long long)range.max);
            else
                snprintf(text, sizeof text, "%llu..", (unsigned long long)range.min);
            break;
        case LC_ACO_RANGE_INFEASIBLE: snprintf(text, sizeof text, "none"); break;
        default: break;
        }
        const char *want_range = json_str(expected, "aco_count_range");
        if (want_range)
            CHECK(range.kind != LC_ACO_RANGE_NONE && strcmp(text, want_range) == 0,
                  "%s: ACO range %s, expected %s", name, text, want_range);
        else
            CHECK(range.kind == LC_ACO_RANGE_NONE, "%s: ACO range should be none", name);
        lc_report_free(report);
    }
    free_columns(&c);
    lc_ruleset_free(rs);
}

static int64_t row_i64(const cJSON *row, const char *key) {
    return json_i64(cJSON_GetObjectItemCaseSensitive(row, key));
}

/* The optional expected.explain of an allocate vector: lc_allocation_explain gives
 * the same text as every other face; a too-small buffer says how much is needed. */
static void check_explanations(const cJSON *v, const lc_allocation *a, const char *name) {
    const cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(v, "expected"), "explain");
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        const char *unit = cJSON_GetObjectItem(e, "unit_id")->valuestring;
        const char *want = cJSON_GetObjectItem(e, "text")->valuestring;
        size_t needed = 0;
        char small[4];
        CHECK(lc_allocation_explain(a, S(unit), small, sizeof small, &needed) ==
                  LC_BUFFER_TOO_SMALL,
              "%s %s: a 4-byte buffer should be too small", name, unit);
        CHECK(needed == strlen(want), "%s %s: needed %zu, expected %zu", name, unit, needed,
              strlen(want));
        char *buf = malloc(needed + 1);
        CHECK_OK(lc_allocation_explain(a, S(unit), buf, needed + 1, &needed));
        CHECK(strcmp(buf, want) == 0, "%s %s: explanation differs:\n%s", name, unit, buf);
        free(buf);
    }
    if (list) {
        CHECK(lc_allocation_explain(a, S("NO-SUCH-UNIT"), NULL, 0, NULL) == LC_ALLOCATION_ERROR,
              "%s: an unknown unit should be LC_ALLOCATION_ERROR", name);
    }
}

static void run_allocate(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    columns c;
    read_columns(rs, cJSON_GetObjectItemCaseSensitive(v, "footprint"), &c, name);
    size_t n = c.n;
    lc_str *need_index = calloc(n + 1, sizeof(lc_str));
    lc_str *hi = calloc(n + 1, sizeof(lc_str));
    lc_str *mff = calloc(n + 1, sizeof(lc_str));
    const cJSON *nd;
    cJSON_ArrayForEach(nd, cJSON_GetObjectItemCaseSensitive(v, "needs")) {
        size_t i = index_of(&c, json_str(nd, "unit_id"));
        CHECK(i != SIZE_MAX, "%s: need for a unit not in the footprint", name);
        if (i == SIZE_MAX) continue;
        need_index[i] = S(json_str(nd, "need_index"));
        hi[i] = S(json_str(nd, "hi_weighted_population"));
        mff[i] = S(json_str(nd, "market_forces_factor"));
    }
    lc_needs needs = {need_index, hi, mff, 0, NULL, NULL};
    int64_t *baselines = NULL;
    const cJSON *bl = cJSON_GetObjectItemCaseSensitive(v, "baselines");
    if (cJSON_GetArraySize(bl) > 0) {
        baselines = malloc((n + 1) * sizeof *baselines);
        for (size_t i = 0; i < n; i++) baselines[i] = LC_NO_BASELINE;
        const cJSON *b;
        cJSON_ArrayForEach(b, bl) {
            size_t i = index_of(&c, json_str(b, "unit_id"));
            CHECK(i != SIZE_MAX, "%s: baseline for a unit not in the footprint", name);
            if (i != SIZE_MAX) baselines[i] = row_i64(b, "baseline_pence");
        }
    }
    int64_t budget = row_i64(v, "budget_pence");
    lc_allocation *sentinel = (lc_allocation *)(uintptr_t)0x1;
    lc_allocation *a = sentinel;
    lc_status s = lc_allocate(rs, &c.fp, &needs, baselines, budget, &a);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s == LC_ALLOCATION_ERROR, "%s: gave %s, expected LC_ALLOCATION_ERROR", name,
              lc_status_name(s));
        CHECK(strstr(last_error(), want_error) != NULL, "%s: message `%s` lacks `%s`", name,
              last_error(), want_error);
        CHECK(a == sentinel, "%s: out written on error", name);
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    }
    if (s == LC_OK) {
        int64_t *alloc = calloc(n + 1, 8), *target = calloc(n + 1, 8), *retained = calloc(n + 1, 8);
        int64_t *dist = calloc(n + 1, 8);
        uint64_t *wp = calloc(n + 1, 8);
        size_t *order = calloc(n + 1, sizeof(size_t));
        lc_allocation_columns cols = {alloc, target, retained, wp, dist};
        size_t units = 0, pots = 0;
        CHECK_OK(lc_allocation_unit_count(a, &units));
        CHECK(units == n, "%s: unit count", name);
        CHECK_OK(lc_allocation_copy_columns(a, n, &cols));
        CHECK_OK(lc_allocation_row_order(a, order, n));
        CHECK_OK(lc_allocation_pot_count(a, &pots));
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(v, "expected"), "rows");
        CHECK((size_t)cJSON_GetArraySize(rows) == n + pots, "%s: %d rows, C gives %zu + %zu pots",
              name, cJSON_GetArraySize(rows), n, pots);
        int64_t total = 0, budget_out = 0, pool = 0;
        for (size_t k = 0; k < n + pots && k < (size_t)cJSON_GetArraySize(rows); k++) {
            const cJSON *r = cJSON_GetArrayItem(rows, (int)k);
            const char *uid = json_str(r, "unit_id");
            const cJSON *dft = cJSON_GetObjectItemCaseSensitive(r, "distance_from_target_ppm");
            const cJSON *base = cJSON_GetObjectItemCaseSensitive(r, "baseline_pence");
            if (k < n) {
                size_t i = order[k];
                CHECK(i < n && str_eq(c.ids[i], uid), "%s: row %zu is not %s", name, k, uid);
                if (i >= n) continue;
                CHECK(str_eq(c.tiers[i], json_str(r, "tier")), "%s %s: tier", name, uid);
                const char *parent = json_str(r, "parent_id");
                CHECK(parent ? (c.parents[i] < n && str_eq(c.ids[c.parents[i]], parent))
                             : c.parents[i] == LC_NO_PARENT,
                      "%s %s: parent", name, uid);
                CHECK((int64_t)wp[i] == row_i64(r, "weighted_population_micro"),
                      "%s %s: weighted population %llu", name, uid, (unsigned long long)wp[i]);
                CHECK(target[i] == row_i64(r, "target_pence"), "%s %s: target %lld", name, uid,
                      (long long)target[i]);
                CHECK(alloc[i] == row_i64(r, "allocation_pence"), "%s %s: allocation %lld", name,
                      uid, (long long)alloc[i]);
                CHECK(retained[i] == row_i64(r, "retained_pence"), "%s %s: retained %lld", name,
                      uid, (long long)retained[i]);
                CHECK(cJSON_IsNull(dft) ? dist[i] == LC_NO_VALUE : dist[i] == json_i64(dft),
                      "%s %s: distance %lld", name, uid, (long long)dist[i]);
                int64_t b = baselines ? baselines[i] : LC_NO_BASELINE;
                CHECK(cJSON_IsNull(base) ? b == LC_NO_BASELINE : b == json_i64(base),
                      "%s %s: baseline", name, uid);
                if (c.parents[i] == LC_NO_PARENT) total += alloc[i];
            } else {
                lc_pot pot;
                CHECK_OK(lc_allocation_pot(a, k - n, &pot));
                CHECK(str_eq(pot.id, uid), "%s: pot %zu is not %s", name, k - n, uid);
                CHECK(strcmp(json_str(r, "tier"), "strategic_commissioner") == 0, "%s: pot tier",
                      name);
                CHECK(pot.allocation_pence == row_i64(r, "allocation_pence") &&
                          pot.allocation_pence == row_i64(r, "target_pence") &&
                          pot.allocation_pence == row_i64(r, "retained_pence") &&
                          row_i64(r, "weighted_population_micro") == 0 && cJSON_IsNull(base),
                      "%s: pot %s", name, uid);
                total += pot.allocation_pence;
            }
        }
        CHECK_OK(lc_allocation_totals(a, &budget_out, &pool));
        CHECK(budget_out == budget && total == budget, "%s: ACOs and pots add to %lld, budget %lld",
              name, (long long)total, (long long)budget);
        free(alloc);
        free(target);
        free(retained);
        free(dist);
        free(wp);
        free(order);
        check_explanations(v, a, name);
        lc_allocation_free(a);
    }
    free(need_index);
    free(hi);
    free(mff);
    free(baselines);
    free_columns(&c);
    lc_ruleset_free(rs);
}

static void run_settle(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(v, "inputs");
    size_t n = (size_t)cJSON_GetArraySize(inputs);
    lc_settlement_input *in = calloc(n + 1, sizeof *in);
    lc_settlement *out = calloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const cJSON *x = cJSON_GetArrayItem(inputs, (int)i);
        in[i].unit_id = S(json_str(x, "unit_id"));
        in[i].benchmark_pence = row_i64(x, "benchmark_pence");
        in[i].actual_pence = row_i64(x, "actual_pence");
        in[i].assigned_population = (uint64_t)row_i64(x, "assigned_population");
        in[i].quality = S(json_str(x, "quality"));
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive(x, "participant_revenue_pence");
        in[i].participant_revenue_pence = cJSON_IsNumber(rev) ? json_i64(rev) : LC_NO_VALUE;
    }
    memset(out, 0xAB, (n + 1) * sizeof *out);
    lc_status s = lc_settle(rs, in, n, out);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s == LC_SETTLEMENT_ERROR, "%s: gave %s", name, lc_status_name(s));
        CHECK(strstr(last_error(), want_error) != NULL, "%s: message `%s` lacks `%s`", name,
              last_error(), want_error);
        unsigned char *bytes = (unsigned char *)out;
        int untouched = 1;
        for (size_t b = 0; b < n * sizeof *out; b++) untouched &= bytes[b] == 0xAB;
        CHECK(untouched, "%s: out written on error", name);
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
        const cJSON *expected = cJSON_GetObjectItemCaseSensitive(v, "expected");
        CHECK((size_t)cJSON_GetArraySize(expected) == n, "%s: rows", name);
        for (size_t i = 0; s == LC_OK && i < n; i++) {
            const cJSON *e = cJSON_GetArrayItem(expected, (int)i);
            const char *uid = json_str(e, "unit_id");
            CHECK(str_eq(in[i].unit_id, uid), "%s: row %zu id", name, i);
            CHECK(out[i].savings_pence == row_i64(e, "savings_pence"), "%s %s: savings", name, uid);
            CHECK(out[i].minimum_rate_met ==
                      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "minimum_rate_met")),
                  "%s %s: minimum_rate_met", name, uid);
            CHECK(out[i].quality_gate_passed ==
                      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "quality_gate_passed")),
                  "%s %s: quality_gate_passed", name, uid);
            CHECK(out[i].amount_before_cap_pence == row_i64(e, "amount_before_cap_pence"),
                  "%s %s: amount before cap %lld", name, uid,
                  (long long)out[i].amount_before_cap_pence);
            CHECK(out[i].cap_pence == row_i64(e, "cap_pence"), "%s %s: cap", name, uid);
            CHECK(out[i].final_pence == row_i64(e, "final_pence"), "%s %s: final %lld", name, uid,
                  (long long)out[i].final_pence);
        }
    }
    free(in);
    free(out);
    lc_ruleset_free(rs);
}

/* A decimal string ("241.74", "-0.4", "1000") as an integer scaled by 10^places; 0 when
 * it is not such a decimal or has more places. */
static int dec_scaled(const char *s, int places, int64_t *out) {
    if (!s) return 0;
    int neg = *s == '-';
    if (neg) s++;
    int64_t v = 0;
    int seen = 0, frac = -1;
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
        } else if (*s >= '0' && *s <= '9') {
            if (frac >= 0 && ++frac > places) {
                if (*s != '0') return 0;
                frac--;
                continue;
            }
            v = v * 10 + (*s - '0');
            seen = 1;
        } else {
            return 0;
        }
    }
    if (!seen) return 0;
    for (int k = frac < 0 ? 0 : frac; k < places; k++) v *= 10;
    *out = neg ? -v : v;
    return 1;
}

/* Whether `got` (scaled by 10^places) is the expected decimal text `want`. */
static int dec_is(int64_t got, const char *want, int places) {
    int64_t w;
    return dec_scaled(want, places, &w) && w == got;
}

/* An optional pence field: LC_NO_VALUE when absent or null. */
static int64_t opt_pence(const cJSON *row, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);
    return cJSON_IsNumber(v) ? json_i64(v) : LC_NO_VALUE;
}

static void run_shift(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(v, "inputs");
    size_t n = (size_t)cJSON_GetArraySize(inputs);
    lc_shift_input *in = calloc(n + 1, sizeof *in);
    lc_shift_benchmark *bench = calloc(n + 1, sizeof *bench);
    lc_shift_outcome *out = calloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        const cJSON *x = cJSON_GetArrayItem(inputs, (int)i);
        in[i].unit_id = S(json_str(x, "unit_id"));
        in[i].emergency_admissions = row_i64(x, "emergency_admissions");
        in[i].avoidable_share = S(json_str(x, "avoidable_share"));
        in[i].reduction = S(json_str(x, "reduction"));
        in[i].avoided_share = S(json_str(x, "avoided_share"));
        in[i].bed_days_per_admission = S(json_str(x, "bed_days_per_admission"));
        in[i].bed_day_cost_pence = opt_pence(x, "bed_day_cost_pence");
        in[i].replacement_cost_pence = opt_pence(x, "replacement_cost_pence");
        in[i].fixed_cost_pence = opt_pence(x, "fixed_cost_pence");
        in[i].occupancy = S(json_str(x, "occupancy"));
        bench[i].benchmark_pence = opt_pence(x, "benchmark_pence");
        bench[i].assigned_population = (uint64_t)opt_pence(x, "assigned_population");
        bench[i].quality = S(json_str(x, "quality"));
    }
    const char *q = json_str(v, "question");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(v, "expected");
    const char *want_error = json_str(v, "expected_error");
    memset(out, 0xAB, (n + 1) * sizeof *out);
    if (strcmp(q, "shift") == 0 || strcmp(q, "shift_settle") == 0) {
        int settle = strcmp(q, "shift_settle") == 0;
        lc_status s = lc_shift(rs, in, n, settle ? bench : NULL, out);
        if (want_error) {
            CHECK(s == LC_SHIFT_ERROR, "%s: gave %s", name, lc_status_name(s));
            CHECK(strstr(last_error(), want_error) != NULL, "%s: message `%s` lacks `%s`", name,
                  last_error(), want_error);
            unsigned char *bytes = (unsigned char *)out;
            int untouched = 1;
            for (size_t b = 0; b < n * sizeof *out; b++) untouched &= bytes[b] == 0xAB;
            CHECK(untouched, "%s: out written on error", name);
        } else if (!settle) {
            CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
            const cJSON *units = cJSON_GetObjectItemCaseSensitive(e, "units");
            const cJSON *totals = cJSON_GetObjectItemCaseSensitive(e, "totals");
            CHECK((size_t)cJSON_GetArraySize(units) == n, "%s: rows", name);
            lc_shift_outcome t = {0};
            for (size_t i = 0; s == LC_OK && i < n; i++) {
                const cJSON *u = cJSON_GetArrayItem(units, (int)i);
                const char *uid = json_str(u, "unit_id");
                CHECK(str_eq(in[i].unit_id, uid), "%s: row %zu id", name, i);
                CHECK(dec_is(out[i].reduction_ppb, json_str(u, "reduction"), 9),
                      "%s %s: reduction %lld ppb", name, uid, (long long)out[i].reduction_ppb);
                CHECK(dec_is(out[i].admissions_avoided_hundredths,
                             json_str(u, "admissions_avoided"), 2),
                      "%s %s: admissions avoided", name, uid);
                CHECK(dec_is(out[i].bed_days_released_hundredths,
                             json_str(u, "bed_days_released"), 2),
                      "%s %s: bed days", name, uid);
                CHECK(dec_is(out[i].beds_released_hundredths, json_str(u, "beds_released"), 2),
                      "%s %s: beds %lld", name, uid, (long long)out[i].beds_released_hundredths);
                CHECK(out[i].gross_savings_pence == row_i64(u, "gross_savings_pence"),
                      "%s %s: gross", name, uid);
                CHECK(out[i].reinvestment_pence == row_i64(u, "reinvestment_pence"),
                      "%s %s: reinvestment", name, uid);
                CHECK(out[i].net_savings_pence == row_i64(u, "net_savings_pence"),
                      "%s %s: net %lld", name, uid, (long long)out[i].net_savings_pence);
                CHECK(!out[i].settled && out[i].expected_actual_pence == LC_NO_VALUE,
                      "%s %s: settled without benchmarks", name, uid);
                t.admissions_avoided_hundredths += out[i].admissions_avoided_hundredths;
                t.bed_days_released_hundredths += out[i].bed_days_released_hundredths;
                t.beds_released_hundredths += out[i].beds_released_hundredths;
                t.gross_savings_pence += out[i].gross_savings_pence;
                t.reinvestment_pence += out[i].reinvestment_pence;
                t.net_savings_pence += out[i].net_savings_pence;
            }
            /* The totals are the sums of the units. */
            CHECK((size_t)row_i64(totals, "units") == n, "%s: total units", name);
            CHECK(dec_is(t.admissions_avoided_hundredths, json_str(totals, "admissions_avoided"),
                         2),
                  "%s: total admissions avoided", name);
            CHECK(dec_is(t.beds_released_hundredths, json_str(totals, "beds_released"), 2),
                  "%s: total beds", name);
            CHECK(t.net_savings_pence == row_i64(totals, "net_savings_pence"), "%s: total net",
                  name);
            CHECK(t.gross_savings_pence == row_i64(totals, "gross_savings_pence"),
                  "%s: total gross", name);
        } else {
            CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
            CHECK((size_t)cJSON_GetArraySize(e) == n, "%s: rows", name);
            for (size_t i = 0; s == LC_OK && i < n; i++) {
                const cJSON *u = cJSON_GetArrayItem(e, (int)i);
                const char *uid = json_str(u, "unit_id");
                CHECK(out[i].settled, "%s %s: not settled", name, uid);
                CHECK(out[i].net_savings_pence == row_i64(u, "net_savings_pence"),
                      "%s %s: net", name, uid);
                CHECK(out[i].expected_actual_pence == row_i64(u, "expected_actual_pence"),
                      "%s %s: expected actual", name, uid);
                CHECK(out[i].settlement.savings_pence == row_i64(u, "savings_pence"),
                      "%s %s: savings", name, uid);
                CHECK(out[i].settlement.minimum_rate_met ==
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "minimum_rate_met")),
                      "%s %s: minimum_rate_met", name, uid);
                CHECK(out[i].settlement.quality_gate_passed ==
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "quality_gate_passed")),
                      "%s %s: quality_gate_passed", name, uid);
                CHECK(out[i].settlement.final_pence == row_i64(u, "final_pence"),
                      "%s %s: final", name, uid);
            }
        }
    } else {
        char text[64];
        size_t needed = 0;
        lc_status s;
        if (strcmp(q, "break_even_reduction") == 0) {
            s = lc_shift_break_even(rs, &in[0], text, sizeof text, &needed);
        } else if (strcmp(q, "reduction_for_minimum_savings_rate") == 0) {
            s = lc_shift_minimum_savings_rate(rs, &in[0], bench[0].benchmark_pence,
                                              bench[0].assigned_population, text, sizeof text,
                                              &needed);
        } else if (strcmp(q, "reduction_for_target") == 0) {
            s = lc_shift_target(rs, in, n, row_i64(v, "target_pence"), text, sizeof text,
                                &needed);
        } else {
            CHECK(0, "%s: unknown question %s", name, q);
            s = LC_PANIC;
        }
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
        if (s == LC_OK) {
            CHECK(strlen(text) == needed, "%s: needed", name);
            const char *want = json_str(e, "reduction");
            if (want) {
                int64_t got;
                CHECK(dec_scaled(text, 9, &got) && dec_is(got, want, 9),
                      "%s: reduction `%s`, expected %s", name, text, want);
            } else {
                CHECK(text[0] == '\0', "%s: `%s` for not reachable", name, text);
            }
        }
    }
    free(in);
    free(bench);
    free(out);
    lc_ruleset_free(rs);
}

/* ---- appraise ------------------------------------------------------------------- */

/* The number's text for a JSON number or string (a vector's minutes, strokes). */
static const char *num_text(const cJSON *v, char *buf, size_t len) {
    if (cJSON_IsString(v)) return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(buf, len, "%lld", (long long)json_i64(v));
        return buf;
    }
    return NULL;
}

/* Whether a result string is the expected JSON cell: null is a NULL `ptr`, decimal text
 * is compared as a number (`"1250"` equals `"1250.000000"`), other text exactly. */
static int text_is(lc_str got, const cJSON *want) {
    if (cJSON_IsNull(want) || !want) return got.ptr == NULL;
    if (!cJSON_IsString(want) || got.ptr == NULL) return 0;
    char buf[512];
    if (got.len >= sizeof buf) return 0;
    memcpy(buf, got.ptr, got.len);
    buf[got.len] = '\0';
    int64_t a, b;
    if (dec_scaled(buf, 9, &a) && dec_scaled(want->valuestring, 9, &b)) return a == b;
    return strcmp(buf, want->valuestring) == 0;
}

/* The vector's inputs as the C ABI's arrays; strings point into the JSON. */
typedef struct {
    size_t ns, nm, nz, nt, no, nc, nw;
    lc_site *sites;
    lc_str *measure_names;
    lc_str *measures; /* ns * nm */
    lc_str *caps;     /* every site's capabilities, one after another */
    lc_zone *zones;
    lc_travel *travel;
    lc_appraisal_option_input *options;
    lc_str *option_sites;
    lc_appraisal_score_input *scores;
    lc_appraisal_weight *weights;
    char (*nums)[32]; /* number texts */
    lc_appraisal_request request;
} appraisal_args;

static int is_site_key(const char *k) {
    return strcmp(k, "site_id") == 0 || strcmp(k, "name") == 0 ||
           strcmp(k, "admissions") == 0 || strcmp(k, "capabilities") == 0;
}

static void read_appraisal_args(const cJSON *v, appraisal_args *a) {
    memset(a, 0, sizeof *a);
    const cJSON *sites = cJSON_GetObjectItemCaseSensitive(v, "sites");
    const cJSON *zones = cJSON_GetObjectItemCaseSensitive(v, "zones");
    const cJSON *travel = cJSON_GetObjectItemCaseSensitive(v, "travel");
    const cJSON *options = cJSON_GetObjectItemCaseSensitive(v, "options");
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(v, "scores");
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(v, "weights");
    a->ns = (size_t)cJSON_GetArraySize(sites);
    a->nz = (size_t)cJSON_GetArraySize(zones);
    a->nt = (size_t)cJSON_GetArraySize(travel);
    a->no = cJSON_IsArray(options) ? (size_t)cJSON_GetArraySize(options) : 0;
    a->nc = cJSON_IsArray(scores) ? (size_t)cJSON_GetArraySize(scores) : 0;
    a->nw = cJSON_IsObject(weights) ? (size_t)cJSON_GetArraySize(weights) : 0;
    /* Measure names: every site key beyond the described ones, in first-seen order. */
    a->measure_names = calloc(64, sizeof *a->measure_names);
    const cJSON *s, *f;
    size_t ncaps = 0;
    cJSON_ArrayForEach(s, sites) {
        ncaps += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "capabilities"));
        cJSON_ArrayForEach(f, s) {
            if (is_site_key(f->string)) continue;
            size_t k = 0;
            while (k < a->nm && !str_eq(a->measure_names[k], f->string)) k++;
            if (k == a->nm && a->nm < 64) a->measure_names[a->nm++] = S(f->string);
        }
    }
    a->nums = calloc(a->ns * (a->nm + 1) + a->nz + a->nt + a->nw + 1, sizeof *a->nums);
    size_t nn = 0;
    a->sites = calloc(a->ns + 1, sizeof *a->sites);
    a->measures = calloc(a->ns * a->nm + 1, sizeof *a->measures);
    a->caps = calloc(ncaps + 1, sizeof *a->caps);
    size_t i = 0, c = 0;
    cJSON_ArrayForEach(s, sites) {
        lc_site *x = &a->sites[i];
        x->site_id = S(json_str(s, "site_id"));
        x->name = S(json_str(s, "name"));
        x->admissions = json_i64(cJSON_GetObjectItemCaseSensitive(s, "admissions"));
        x->capabilities = &a->caps[c];
        const cJSON *cap;
        cJSON_ArrayForEach(cap, cJSON_GetObjectItemCaseSensitive(s, "capabilities")) {
            a->caps[c++] = S(cap->valuestring);
            x->capability_count++;
        }
        x->measures = a->nm ? &a->measures[i * a->nm] : NULL;
        for (size_t m = 0; m < a->nm; m++) {
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)a->measure_names[m].len, a->measure_names[m].ptr);
            a->measures[i * a->nm + m] =
                S(num_text(cJSON_GetObjectItemCaseSensitive(s, key), a->nums[nn++], 32));
        }
        i++;
    }
    a->zones = calloc(a->nz + 1, sizeof *a->zones);
    i = 0;
    cJSON_ArrayForEach(s, zones) {
        a->zones[i].zone_id = S(json_str(s, "zone_id"));
        a->zones[i].strokes = S(num_text(cJSON_GetObjectItemCaseSensitive(s, "strokes"), a->nums[nn++], 32));
        a->zones[i].population = opt_pence(s, "population");
        i++;
    }
    a->travel = calloc(a->nt + 1, sizeof *a->travel);
    i = 0;
    cJSON_ArrayForEach(s, travel) {
        a->travel[i].zone_id = S(json_str(s, "zone_id"));
        a->travel[i].site_id = S(json_str(s, "site_id"));
        a->travel[i].minutes = S(num_text(cJSON_GetObjectItemCaseSensitive(s, "minutes"), a->nums[nn++], 32));
        i++;
    }
    size_t nos = 0;
    cJSON_ArrayForEach(s, options) nos += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "sites"));
    a->options = calloc(a->no + 1, sizeof *a->options);
    a->option_sites = calloc(nos + 1, sizeof *a->option_sites);
    i = 0;
    c = 0;
    cJSON_ArrayForEach(s, options) {
        a->options[i].option_id = S(json_str(s, "option_id"));
        a->options[i].sites = &a->option_sites[c];
        const cJSON *site;
        cJSON_ArrayForEach(site, cJSON_GetObjectItemCaseSensitive(s, "sites")) {
            a->option_sites[c++] = S(site->valuestring);
            a->options[i].site_count++;
        }
        i++;
    }
    a->scores = calloc(a->nc + 1, sizeof *a->scores);
    i = 0;
    cJSON_ArrayForEach(s, scores) {
        a->scores[i].option_id = S(json_str(s, "option_id"));
        a->scores[i].criterion = S(json_str(s, "criterion"));
        a->scores[i].score = S(json_str(s, "score"));
        i++;
    }
    a->weights = calloc(a->nw + 1, sizeof *a->weights);
    i = 0;
    cJSON_ArrayForEach(s, weights) {
        a->weights[i].criterion = S(s->string);
        a->weights[i].weight = S(num_text(s, a->nums[nn++], 32));
        i++;
    }
    a->request.options = cJSON_IsArray(options) ? a->options : NULL;
    a->request.option_count = a->no;
    a->request.scores = a->scores;
    a->request.score_count = a->nc;
    a->request.weights = a->weights;
    a->request.weight_count = a->nw;
}

static void free_appraisal_args(appraisal_args *a) {
    free(a->sites);
    free(a->measure_names);
    free(a->measures);
    free(a->caps);
    free(a->zones);
    free(a->travel);
    free(a->options);
    free(a->option_sites);
    free(a->scores);
    free(a->weights);
    free(a->nums);
}

static lc_status appraise_args(const lc_ruleset *rs, const appraisal_args *a, lc_appraisal **out) {
    return lc_appraise(rs, a->sites, a->ns, a->measure_names, a->nm, a->zones, a->nz, a->travel,
                       a->nt, &a->request, out);
}

/* Checks the expected rows of the appraisal, volumes, hurdles and evaluation tables. */
static void check_appraisal(const lc_appraisal *ap, const cJSON *exp, const char *name) {
    size_t n_opt = 0, n_h = 0, n_c = 0, n_short = 0;
    CHECK_OK(lc_appraisal_counts(ap, &n_opt, &n_h, &n_c, &n_short));
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(exp, "appraisal");
    CHECK((size_t)cJSON_GetArraySize(rows) == n_opt, "%s: %zu options", name, n_opt);
    const cJSON *r, *w;
    size_t i = 0;
    cJSON_ArrayForEach(r, rows) {
        lc_appraisal_row row;
        if (lc_appraisal_option(ap, i, &row) != LC_OK) {
            CHECK(0, "%s: option %zu: %s", name, i, last_error());
            break;
        }
        char sites[256] = "", failed[256] = "";
        for (size_t k = 0; k < row.hasu_count; k++) {
            lc_hasu h;
            CHECK_OK(lc_appraisal_hasu(ap, i, k, &h));
            snprintf(sites + strlen(sites), sizeof sites - strlen(sites), "%s%.*s", k ? ";" : "",
                     (int)h.site_id.len, h.site_id.ptr);
        }
        for (size_t k = 0; k < n_h; k++) {
            lc_hurdle_outcome h;
            CHECK_OK(lc_appraisal_hurdle(ap, i, k, &h));
            if (!h.passed)
                snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "%s%.*s",
                         failed[0] ? ";" : "", (int)h.criterion.len, h.criterion.ptr);
        }
        cJSON_ArrayForEach(w, r) {
            const char *k = w->string;
            int ok = 1;
            if (strcmp(k, "option_id") == 0) ok = text_is(row.option_id, w);
            else if (strcmp(k, "sites") == 0) ok = strcmp(sites, w->valuestring) == 0;
            else if (strcmp(k, "failed") == 0) ok = strcmp(failed, w->valuestring) == 0;
            else if (strcmp(k, "passed") == 0) ok = row.passed == cJSON_IsTrue(w);
            else if (strcmp(k, "rank") == 0) ok = cJSON_IsNull(w) ? row.rank == 0 : (int64_t)row.rank == json_i64(w);
            else if (strcmp(k, "total") == 0) ok = text_is(row.total, w);
            else if (strcmp(k, "min_volume") == 0) ok = text_is(row.min_volume, w);
            else if (strcmp(k, "max_volume") == 0) ok = text_is(row.max_volume, w);
            else if (strcmp(k, "max_travel_minutes") == 0) ok = text_is(row.max_travel_minutes, w);
            else if (strcmp(k, "max_travel_zone") == 0) ok = text_is(row.max_travel_zone, w);
            else if (strcmp(k, "mean_travel_minutes") == 0) ok = text_is(row.mean_travel_minutes, w);
            else if (strcmp(k, "share_within") == 0) ok = text_is(row.share_within, w);
            else if (strcmp(k, "hasus") == 0) ok = (int64_t)row.hasu_count == json_i64(w);
            else continue; /* within_minutes: the Arrow table's (test_arrow) */
            CHECK(ok, "%s: appraisal row %zu: %s", name, i, k);
        }
        i++;
    }
    /* volumes: the options' HASUs, in order. */
    size_t opt = 0, k = 0;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(exp, "volumes")) {
        lc_appraisal_row row;
        while (opt < n_opt && lc_appraisal_option(ap, opt, &row) == LC_OK && k >= row.hasu_count) {
            opt++;
            k = 0;
        }
        lc_hasu h;
        if (lc_appraisal_hasu(ap, opt, k, &h) != LC_OK) {
            CHECK(0, "%s: volumes: too few rows", name);
            break;
        }
        CHECK(text_is(row.option_id, cJSON_GetObjectItemCaseSensitive(r, "option_id")) &&
                  text_is(h.site_id, cJSON_GetObjectItemCaseSensitive(r, "site_id")) &&
                  h.current_admissions == row_i64(r, "current_admissions") &&
                  text_is(h.projected_admissions, cJSON_GetObjectItemCaseSensitive(r, "projected_admissions")) &&
                  (int64_t)h.zones == row_i64(r, "zones"),
              "%s: volumes %zu/%zu", name, opt, k);
        k++;
    }
    /* hurdles: every option's, in the policy's order. */
    i = 0;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(exp, "hurdles")) {
        lc_hurdle_outcome h;
        lc_appraisal_row row;
        if (n_h == 0 || lc_appraisal_option(ap, i / n_h, &row) != LC_OK ||
            lc_appraisal_hurdle(ap, i / n_h, i % n_h, &h) != LC_OK) {
            CHECK(0, "%s: hurdles: row %zu missing", name, i);
            break;
        }
        CHECK(text_is(row.option_id, cJSON_GetObjectItemCaseSensitive(r, "option_id")) &&
                  text_is(h.criterion, cJSON_GetObjectItemCaseSensitive(r, "criterion")) &&
                  h.passed == cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "passed")) &&
                  text_is(h.observed, cJSON_GetObjectItemCaseSensitive(r, "observed")) &&
                  text_is(h.bound, cJSON_GetObjectItemCaseSensitive(r, "bound")) &&
                  text_is(h.at, cJSON_GetObjectItemCaseSensitive(r, "at")) &&
                  text_is(h.remedy, cJSON_GetObjectItemCaseSensitive(r, "remedy")),
              "%s: hurdles row %zu", name, i);
        i++;
    }
    CHECK(i == n_opt * n_h, "%s: %zu hurdle rows, expected %zu", name, n_opt * n_h, i);
    /* evaluation: the shortlist, best first, each criterion. */
    i = 0;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(exp, "evaluation")) {
        size_t idx = 0;
        lc_appraisal_row row;
        lc_criterion_score sc;
        if (n_c == 0 || lc_appraisal_ranked(ap, i / n_c, &idx) != LC_OK ||
            lc_appraisal_option(ap, idx, &row) != LC_OK ||
            lc_appraisal_score(ap, idx, i % n_c, &sc) != LC_OK) {
            CHECK(0, "%s: evaluation row %zu missing: %s", name, i, last_error());
            break;
        }
        CHECK(text_is(row.option_id, cJSON_GetObjectItemCaseSensitive(r, "option_id")) &&
                  (int64_t)row.rank == row_i64(r, "rank") &&
                  text_is(sc.criterion, cJSON_GetObjectItemCaseSensitive(r, "criterion")) &&
                  text_is(sc.value, cJSON_GetObjectItemCaseSensitive(r, "value")) &&
                  sc.score == row_i64(r, "score") &&
                  text_is(sc.weighted, cJSON_GetObjectItemCaseSensitive(r, "weighted")),
              "%s: evaluation row %zu", name, i);
        i++;
    }
    CHECK(i == n_short * n_c, "%s: evaluation rows", name);
    /* The preferred option, and the explanation (its length first). */
    const char *pref = json_str(exp, "preferred");
    size_t idx = 0;
    lc_status s = lc_appraisal_ranked(ap, 0, &idx);
    if (pref) {
        lc_appraisal_row row;
        CHECK(s == LC_OK && lc_appraisal_option(ap, idx, &row) == LC_OK && str_eq(row.option_id, pref),
              "%s: preferred, expected %s", name, pref);
    } else {
        CHECK(s == LC_OUT_OF_RANGE, "%s: no preferred option", name);
    }
    size_t needed = 0;
    CHECK_STATUS(lc_appraisal_explanation(ap, NULL, 0, &needed), LC_BUFFER_TOO_SMALL);
    char *text = malloc(needed + 1);
    CHECK_OK(lc_appraisal_explanation(ap, text, needed + 1, &needed));
    CHECK(strlen(text) == needed && needed > 0 && text[needed - 1] == '\n', "%s: explanation", name);
    if (pref) CHECK(strstr(text, pref) != NULL, "%s: the explanation names %s", name, pref);
    free(text);
}

/* Bad inputs, each a clear LC_APPRAISAL_ERROR with nothing written. */
static void appraise_bad_inputs(const lc_ruleset *rs, appraisal_args *a, const char *name) {
    lc_appraisal *out = NULL;
    /* An unknown site in the travel table. */
    lc_travel keep = a->travel[0];
    a->travel[0].site_id = S("Q");
    CHECK_STATUS(appraise_args(rs, a, &out), LC_APPRAISAL_ERROR);
    CHECK(strstr(last_error(), "Q") != NULL && out == NULL, "%s: unknown site: %s", name, last_error());
    a->travel[0] = keep;
    /* An unknown zone. */
    a->travel[0].zone_id = S("Z9");
    CHECK_STATUS(appraise_args(rs, a, &out), LC_APPRAISAL_ERROR);
    CHECK(strstr(last_error(), "Z9") != NULL && out == NULL, "%s: unknown zone", name);
    a->travel[0] = keep;
    /* Negative minutes and negative admissions. */
    a->travel[0].minutes = S("-10");
    CHECK_STATUS(appraise_args(rs, a, &out), LC_APPRAISAL_ERROR);
    CHECK(strstr(last_error(), "travel row 0") != NULL && out == NULL, "%s: negative minutes: %s",
          name, last_error());
    a->travel[0] = keep;
    int64_t adm = a->sites[1].admissions;
    a->sites[1].admissions = -1;
    CHECK_STATUS(appraise_args(rs, a, &out), LC_APPRAISAL_ERROR);
    CHECK(strstr(last_error(), "sites row 1") != NULL && out == NULL, "%s: negative admissions: %s",
          name, last_error());
    a->sites[1].admissions = adm;
    /* k larger than the number of sites; a long list above the bound. */
    a->request.min_sites = a->request.max_sites = a->ns + 1;
    CHECK_STATUS(appraise_args(rs, a, &out), LC_APPRAISAL_ERROR);
    CHECK(strstr(last_error(), "cannot be drawn from") != NULL && out == NULL, "%s: k: %s", name,
          last_error());
    a->request.min_sites = a->request.max_sites = 0;
    a->request.max_options = 2;
    CHECK_STATUS(appraise_args(rs, a, &out), LC_APPRAISAL_ERROR);
    CHECK(strstr(last_error(), "more than the bound of 2") != NULL && out == NULL, "%s: bound: %s",
          name, last_error());
    a->request.max_options = 0;
    /* A zone no designated site reaches: drop every travel time to the last zone but the
     * first. */
    size_t nt = a->nt;
    a->nt = nt - 2;
    CHECK_STATUS(appraise_args(rs, a, &out), LC_APPRAISAL_ERROR);
    CHECK(strstr(last_error(), "is reached by none of its sites") != NULL && out == NULL,
          "%s: unreached: %s", name, last_error());
    a->nt = nt;
    /* A score that does not parse; NULL arguments. */
    if (a->nc) {
        lc_str sc = a->scores[0].score;
        a->scores[0].score = S("+++");
        CHECK_STATUS(appraise_args(rs, a, &out), LC_INPUT_ERROR);
        a->scores[0].score = sc;
    }
    CHECK_STATUS(lc_appraise(rs, NULL, a->ns, NULL, 0, a->zones, a->nz, a->travel, a->nt, NULL, &out),
                 LC_NULL_ARGUMENT);
    CHECK_STATUS(appraise_args(NULL, a, &out), LC_NULL_ARGUMENT);
    CHECK_STATUS(appraise_args(rs, a, NULL), LC_NULL_ARGUMENT);
    CHECK(out == NULL, "%s: nothing written", name);
    /* Accessors out of range. */
    CHECK_OK(appraise_args(rs, a, &out));
    lc_appraisal_row row;
    lc_criterion_score sc;
    CHECK_STATUS(lc_appraisal_option(out, 1000, &row), LC_OUT_OF_RANGE);
    CHECK_STATUS(lc_appraisal_score(out, 0, 0, &sc), LC_OUT_OF_RANGE); /* A fails its hurdles */
    CHECK_STATUS(lc_appraisal_option(NULL, 0, &row), LC_NULL_ARGUMENT);
    lc_appraisal_free(out);
    lc_appraisal_free(NULL);
}

static void run_appraise(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    appraisal_args a;
    read_appraisal_args(v, &a);
    lc_appraisal *ap = NULL;
    lc_status s = appraise_args(rs, &a, &ap);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s == LC_APPRAISAL_ERROR && strstr(last_error(), want_error) != NULL && ap == NULL,
              "%s: %s `%s`, expected LC_APPRAISAL_ERROR with `%s`", name, lc_status_name(s),
              last_error(), want_error);
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
        if (s == LC_OK) check_appraisal(ap, cJSON_GetObjectItemCaseSensitive(v, "expected"), name);
        lc_appraisal_free(ap);
        if (strstr(name, "hand-worked")) appraise_bad_inputs(rs, &a, name);
    }
    free_appraisal_args(&a);
    lc_ruleset_free(rs);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
        return 2;
    }
    static const struct {
        const char *kind;
        void (*run)(const cJSON *, const char *);
    } kinds[] = {{"classify", run_classify},
                 {"validate", run_validate},
                 {"allocate", run_allocate},
                 {"settle", run_settle},
                 {"shift", run_shift},
                 {"appraise", run_appraise}};
    size_t vectors = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[1], kinds[k].kind);
        char **names = NULL;
        size_t n = list_json(dir, &names);
        CHECK(n > 0, "no vectors in %s", dir);
        for (size_t i = 0; i < n; i++) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            char *text = read_file(path);
            cJSON *v = text ? cJSON_Parse(text) : NULL;
            CHECK(v != NULL, "%s: cannot read or parse", path);
            if (v) {
                long before = atomic_load(&check_failed);
                kinds[k].run(v, path);
                vectors++;
                if (atomic_load(&check_failed) != before) fprintf(stderr, "  in %s\n", path);
                cJSON_Delete(v);
            }
            free(text);
            free(names[i]);
        }
        free(names);
    }
    printf("vectors run: %zu\n", vectors);
    return check_report("test_vectors");
}
