/* Runs shared vectors in tests/vectors/ through the C entry points a caller without an
 * Arrow library uses, and checks the same expected values as the Rust runner
 * (crates/localcare/tests/vectors.rs), to the penny:
 *
 * - classify/: lc_classify on parallel arrays (the hot path) and lc_classify_explain;
 * - allocate/, settle/: the input tables built from plain C arrays with lc_builder,
 *   the results read cell by cell with lc_result_i64 and lc_result_str.
 *
 * test_arrow runs every vector through Arrow streams and compares every cell of every
 * table; this program shows the plain-C path gives the same numbers. The vector format
 * is in tests/vectors/README.md; JSON is read with cJSON (Debian's libcjson-dev).
 *
 * usage: test_vectors VECTORS_DIR
 */
#define _POSIX_C_SOURCE 200809L
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
 * the first undeclared bit, which lc_classify refuses. */
static uint64_t caps_of(const lc_ruleset *rs, const cJSON *list) {
    size_t n = (size_t)cJSON_GetArraySize(list);
    lc_str *ids = calloc(n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = S(cJSON_GetArrayItem(list, (int)i)->valuestring);
    uint64_t set = 0;
    CHECK_OK(lc_ruleset_capability_set(rs, ids, n, &set));
    free(ids);
    return set;
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
        lc_str tier_id = {NULL, 0};
        CHECK_OK(lc_ruleset_tier_id(rs, tiers[i], &tier_id));
        CHECK(str_eq(tier_id, json_str(e, "tier")), "%s %s: tier %.*s, expected %s", name,
              json_str(e, "unit_id"), (int)tier_id.len, tier_id.ptr, json_str(e, "tier"));
        size_t needed = 0;
        CHECK_STATUS(lc_classify_explain(rs, pops[i], caps[i], NULL, 0, &needed),
                     LC_BUFFER_TOO_SMALL);
        char *text = malloc(needed + 1);
        CHECK_OK(lc_classify_explain(rs, pops[i], caps[i], text, needed + 1, &needed));
        CHECK(strlen(text) == needed, "%s: explanation length", name);
        free(text);
    }
    free(pops);
    free(caps);
    free(tiers);
    lc_ruleset_free(rs);
}

/* A JSON array of row objects as an Arrow stream made with lc_builder from plain C
 * arrays: a column of numbers as int64_t (LC_NO_VALUE where not given), any other as
 * text (a list joined by ';', NULL where not given). */
static struct ArrowArrayStream stream_of(const cJSON *rows) {
    lc_builder *b = NULL;
    CHECK_OK(lc_builder_new(&b));
    size_t n = (size_t)cJSON_GetArraySize(rows);
    const cJSON *row, *cell;
    cJSON *done = cJSON_CreateObject();
    cJSON_ArrayForEach(row, rows) {
        cJSON_ArrayForEach(cell, row) {
            const char *col = cell->string;
            if (cJSON_GetObjectItemCaseSensitive(done, col)) continue;
            cJSON_AddTrueToObject(done, col);
            int numbers = 1;
            for (size_t i = 0; i < n; i++) {
                const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, (int)i), col);
                if (x && !cJSON_IsNull(x) && !cJSON_IsNumber(x)) numbers = 0;
            }
            int64_t *ints = calloc(n + 1, sizeof *ints);
            lc_str *texts = calloc(n + 1, sizeof *texts);
            char **owned = calloc(n + 1, sizeof *owned);
            for (size_t i = 0; i < n; i++) {
                const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, (int)i), col);
                int given = x && !cJSON_IsNull(x);
                ints[i] = given && cJSON_IsNumber(x) ? (int64_t)x->valuedouble : LC_NO_VALUE;
                if (!given) continue;
                if (cJSON_IsString(x)) {
                    texts[i] = S(x->valuestring);
                } else if (cJSON_IsArray(x)) {
                    owned[i] = calloc(4096, 1);
                    const cJSON *item;
                    cJSON_ArrayForEach(item, x) {
                        if (owned[i][0]) strcat(owned[i], ";");
                        strncat(owned[i], item->valuestring, 1000);
                    }
                    texts[i] = S(owned[i]);
                } else if (cJSON_IsNumber(x)) {
                    owned[i] = calloc(32, 1);
                    snprintf(owned[i], 32, "%lld", (long long)x->valuedouble);
                    texts[i] = S(owned[i]);
                }
            }
            if (numbers)
                CHECK_OK(lc_builder_i64(b, col, strlen(col), ints, n));
            else
                CHECK_OK(lc_builder_text(b, col, strlen(col), texts, n));
            for (size_t i = 0; i < n; i++) free(owned[i]);
            free(owned);
            free(ints);
            free(texts);
        }
    }
    cJSON_Delete(done);
    struct ArrowArrayStream s;
    CHECK_OK(lc_builder_finish(b, &s));
    lc_builder_free(b);
    return s;
}

/* A cell of a result by column name. */
static int64_t cell_i64(const lc_result *r, size_t row, const char *col) {
    size_t c = 0;
    int64_t v = 0;
    CHECK_OK(lc_result_column_index(r, 0, col, strlen(col), &c));
    CHECK_OK(lc_result_i64(r, 0, c, row, &v));
    return v;
}

static int cell_eq(const lc_result *r, size_t row, const char *col, const char *want) {
    size_t c = 0, needed = 0;
    char buf[1024] = "";
    CHECK_OK(lc_result_column_index(r, 0, col, strlen(col), &c));
    CHECK_OK(lc_result_str(r, 0, c, row, buf, sizeof buf, &needed));
    return strcmp(buf, want) == 0;
}

static void run_allocate(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    const cJSON *needs = cJSON_GetObjectItemCaseSensitive(v, "needs");
    const cJSON *baselines = cJSON_GetObjectItemCaseSensitive(v, "baselines");
    int have_needs = cJSON_GetArraySize(needs) > 0, have_baselines = cJSON_GetArraySize(baselines) > 0;
    struct ArrowArrayStream fp = stream_of(cJSON_GetObjectItemCaseSensitive(v, "footprint"));
    struct ArrowArrayStream nd, bl;
    if (have_needs) nd = stream_of(needs);
    if (have_baselines) bl = stream_of(baselines);
    lc_result *r = NULL;
    lc_status s = lc_allocate_arrow(rs, &fp, json_i64(cJSON_GetObjectItemCaseSensitive(v, "budget_pence")),
                                    have_needs ? &nd : NULL, have_baselines ? &bl : NULL, S(NULL), &r);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s != LC_OK && r == NULL, "%s: expected an error", name);
        CHECK(strstr(last_error(), want_error) != NULL, "%s: `%s` lacks `%s`", name, last_error(),
              want_error);
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    }
    size_t rows = 0;
    if (s == LC_OK) CHECK_OK(lc_result_row_count(r, 0, &rows));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(v, "expected"), "rows")) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "allocation_pence");
        int found = 0;
        for (size_t i = 0; i < rows; i++) {
            if (!cell_eq(r, i, "unit_id", json_str(e, "unit_id"))) continue;
            found = 1;
            if (cJSON_IsNumber(a))
                CHECK(cell_i64(r, i, "allocation_pence") == json_i64(a), "%s: %s allocation", name,
                      json_str(e, "unit_id"));
        }
        CHECK(found, "%s: no row for %s", name, json_str(e, "unit_id"));
    }
    /* The explanation of the first unit, through the same command. */
    if (s == LC_OK && rows > 0) {
        struct ArrowArrayStream fp2 = stream_of(cJSON_GetObjectItemCaseSensitive(v, "footprint"));
        const char *first = json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v, "footprint"), 0), "unit_id");
        lc_result *x = NULL;
        if (!have_needs && !have_baselines) {
            CHECK_OK(lc_allocate_arrow(rs, &fp2, json_i64(cJSON_GetObjectItemCaseSensitive(v, "budget_pence")),
                                       NULL, NULL, S(first), &x));
            size_t needed = 0;
            CHECK_STATUS(lc_result_text(x, NULL, 0, &needed), LC_BUFFER_TOO_SMALL);
            CHECK(needed > 0, "%s: an explanation of %s", name, first);
            lc_result_free(x);
        } else {
            fp2.release(&fp2);
        }
    }
    lc_result_free(r);
    lc_ruleset_free(rs);
}

/* A budget in lines (tests/vectors/lines): lc_allocate_lines_arrow, every expected cell
 * by column name; then the ruleset's policy given to a ruleset of tiers only. */
static void run_lines(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    const cJSON *bl = cJSON_GetObjectItemCaseSensitive(v, "budget_lines");
    size_t n = (size_t)cJSON_GetArraySize(bl);
    lc_str *lines = calloc(n + 1, sizeof *lines);
    int64_t *pence = calloc(n + 1, sizeof *pence);
    for (size_t i = 0; i < n; i++) {
        const cJSON *l = cJSON_GetArrayItem(bl, (int)i);
        lines[i] = S(cJSON_GetArrayItem(l, 0)->valuestring);
        pence[i] = json_i64(cJSON_GetArrayItem(l, 1));
    }
    struct ArrowArrayStream fp = stream_of(cJSON_GetObjectItemCaseSensitive(v, "footprint"));
    struct ArrowArrayStream nd = stream_of(cJSON_GetObjectItemCaseSensitive(v, "needs"));
    lc_result *r = NULL;
    lc_status s = lc_allocate_lines_arrow(rs, &fp, lines, pence, n, &nd, NULL, S(NULL), &r);
    CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    size_t rows = 0;
    if (s == LC_OK) CHECK_OK(lc_result_row_count(r, 0, &rows));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(v, "expected"), "rows")) {
        int found = 0;
        for (size_t i = 0; s == LC_OK && i < rows; i++) {
            if (!cell_eq(r, i, "unit_id", json_str(e, "unit_id"))) continue;
            found = 1;
            const cJSON *cell;
            cJSON_ArrayForEach(cell, e) {
                if (cJSON_IsNumber(cell))
                    CHECK(cell_i64(r, i, cell->string) == json_i64(cell), "%s: %s %s", name,
                          json_str(e, "unit_id"), cell->string);
                else if (cJSON_IsString(cell))
                    CHECK(cell_eq(r, i, cell->string, cell->valuestring), "%s: %s %s", name,
                          json_str(e, "unit_id"), cell->string);
            }
        }
        CHECK(found, "%s: no row for %s", name, json_str(e, "unit_id"));
    }
    lc_result_free(r);
    /* No lines at all is refused. */
    struct ArrowArrayStream fp2 = stream_of(cJSON_GetObjectItemCaseSensitive(v, "footprint"));
    CHECK_STATUS(lc_allocate_lines_arrow(rs, &fp2, NULL, NULL, 0, NULL, NULL, S(NULL), &r), LC_INPUT_ERROR);
    /* A ruleset of tiers only given this one's policy, or a policy as TOML text. */
    lc_ruleset *tiers = NULL, *with = NULL;
    static const char nh[] = "england-neighbourhood-2025";
    CHECK_OK(lc_ruleset_builtin(nh, strlen(nh), &tiers));
    CHECK_OK(lc_ruleset_with_allocation_policy(tiers, rs, &with));
    lc_ruleset_free(with);
    with = NULL;
    CHECK_STATUS(lc_ruleset_with_allocation_policy(tiers, tiers, &with), LC_RULESET_ERROR);
    CHECK(with == NULL, "%s: no ruleset on error", name);
    static const char toml[] = "[allocation]\naco_commissioned_share = \"1\"\ninequalities_weight = \"0\"\npots = []\n";
    CHECK_OK(lc_ruleset_with_allocation_toml(tiers, toml, strlen(toml), &with));
    lc_ruleset_free(with);
    lc_ruleset_free(tiers);
    free(lines);
    free(pence);
    lc_ruleset_free(rs);
}

static void run_settle(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v, name);
    if (!rs) return;
    struct ArrowArrayStream in = stream_of(cJSON_GetObjectItemCaseSensitive(v, "inputs"));
    lc_result *r = NULL;
    lc_status s = lc_settle_arrow(rs, &in, &r);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s == LC_SETTLEMENT_ERROR, "%s: gave %s", name, lc_status_name(s));
        CHECK(strstr(last_error(), want_error) != NULL, "%s: `%s` lacks `%s`", name, last_error(),
              want_error);
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
        const cJSON *e;
        size_t i = 0;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(v, "expected")) {
            static const char *const pence[] = {"savings_pence", "amount_before_cap_pence",
                                                "cap_pence", "final_pence"};
            for (size_t k = 0; k < sizeof pence / sizeof *pence; k++)
                CHECK(cell_i64(r, i, pence[k]) ==
                          json_i64(cJSON_GetObjectItemCaseSensitive(e, pence[k])),
                      "%s: row %zu %s", name, i, pence[k]);
            const cJSON *met = cJSON_GetObjectItemCaseSensitive(e, "minimum_rate_met");
            CHECK(cell_eq(r, i, "minimum_rate_met", cJSON_IsTrue(met) ? "true" : "false"),
                  "%s: row %zu minimum_rate_met", name, i);
            i++;
        }
    }
    lc_result_free(r);
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
    } kinds[] = {{"classify", run_classify}, {"allocate", run_allocate}, {"lines", run_lines}, {"settle", run_settle}};
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
