/* Runs every shared vector in tests/vectors/{classify,validate,allocate,settle,shift,
 * appraise,bridge}/ through the commands (lc_classify_arrow, lc_validate_arrow,
 * lc_allocate_arrow, lc_sweep_arrow, lc_settle_arrow, lc_shift_arrow, lc_appraise_arrow,
 * lc_bridge_arrow),
 * each giving an lc_result whose tables are exported (lc_result_export), as a C program holding
 * Arrow data would: the input tables are built here as ArrowArrayStreams (a struct array
 * of int64 and utf8 columns, nulls in a validity bitmap), the result streams are read
 * back through the same interface (int64, utf8, bool, dictionary-encoded utf8).
 *
 * Every cell is read a second way, through lc_result's typed getters (lc_result_str,
 * lc_result_i64, lc_result_is_null), which must agree with the exported stream.
 *
 * It checks the result columns against lc_table_column (the one description), the
 * expected values of each vector, that input streams are released on every status, and
 * writes each result table as JSON to OUT_DIR/<kind>/<vector>.json for the cross-face
 * test (tests/cross_face.py), which compares them with the CLI's and Python's.
 *
 * With BAD_INPUTS_DIR it also runs the bad-input matrix (tests/bad-inputs/) through the
 * same entry points: status, message, row and column, inputs released, nothing written.
 *
 * usage: test_arrow VECTORS_DIR OUT_DIR [BAD_INPUTS_DIR RULESET_TOML]
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "check.h"
#include "vectors.h"

/* ---- Producing: a JSON array of row objects as an ArrowArrayStream ---------------- */

/* One column: int64 ('l') when every value given is a number, else utf8 ('u'); a JSON
 * list (capabilities) becomes its items joined by ';'. */
typedef struct {
    char *name;
    char format[2];
    size_t n;
    uint8_t *validity;
    int64_t *ints;
    int32_t *offsets;
    char *data;
} column;

/* Shared by the stream and every schema and array it hands out, which by the Arrow
 * rules outlive the stream: freed when the last of them is released. */
typedef struct {
    size_t ncols, nrows;
    column *cols;
    int sent;
    int refs;
} table;

static void append_text(char **data, size_t *len, size_t *cap, const char *s) {
    size_t k = strlen(s);
    while (*len + k + 1 > *cap) *data = realloc(*data, *cap *= 2);
    memcpy(*data + *len, s, k);
    *len += k;
}

static table *table_from_json(const cJSON *rows) {
    table *t = calloc(1, sizeof *t);
    t->refs = 1;
    t->nrows = (size_t)cJSON_GetArraySize(rows);
    /* Column names in order of first appearance. */
    const cJSON *row, *cell;
    cJSON_ArrayForEach(row, rows) {
        cJSON_ArrayForEach(cell, row) {
            size_t c = 0;
            while (c < t->ncols && strcmp(t->cols[c].name, cell->string) != 0) c++;
            if (c == t->ncols) {
                t->cols = realloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
                memset(&t->cols[c], 0, sizeof t->cols[c]);
                t->cols[c].name = strdup(cell->string);
                t->cols[c].format[0] = 'l';
                t->ncols++;
            }
            if (!cJSON_IsNumber(cell) && !cJSON_IsNull(cell)) t->cols[c].format[0] = 'u';
        }
    }
    for (size_t c = 0; c < t->ncols; c++) {
        column *col = &t->cols[c];
        size_t n = t->nrows;
        col->n = n;
        col->validity = calloc((n + 7) / 8 + 1, 1);
        size_t len = 0, cap = 64;
        if (col->format[0] == 'l') {
            col->ints = calloc(n + 1, sizeof *col->ints);
        } else {
            col->offsets = calloc(n + 1, sizeof *col->offsets);
            col->data = malloc(cap);
        }
        size_t i = 0;
        cJSON_ArrayForEach(row, rows) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, col->name);
            int valid = v && !cJSON_IsNull(v);
            if (valid) col->validity[i / 8] |= (uint8_t)(1u << (i % 8));
            if (col->format[0] == 'l') {
                col->ints[i] = valid ? (int64_t)v->valuedouble : 0;
            } else {
                if (cJSON_IsString(v)) {
                    append_text(&col->data, &len, &cap, v->valuestring);
                } else if (cJSON_IsBool(v)) {
                    append_text(&col->data, &len, &cap, cJSON_IsTrue(v) ? "true" : "false");
                } else if (cJSON_IsNumber(v)) {
                    char buf[32];
                    snprintf(buf, sizeof buf, "%lld", (long long)v->valuedouble);
                    append_text(&col->data, &len, &cap, buf);
                } else if (cJSON_IsArray(v)) {
                    const cJSON *item;
                    int first = 1;
                    cJSON_ArrayForEach(item, v) {
                        if (!first) append_text(&col->data, &len, &cap, ";");
                        append_text(&col->data, &len, &cap, item->valuestring);
                        first = 0;
                    }
                }
                col->offsets[i + 1] = (int32_t)len;
            }
            i++;
        }
    }
    return t;
}

static void table_free(table *t) {
    if (--t->refs > 0) return;
    for (size_t c = 0; c < t->ncols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].validity);
        free(t->cols[c].ints);
        free(t->cols[c].offsets);
        free(t->cols[c].data);
    }
    free(t->cols);
    free(t);
}

/* Schemas and arrays made here borrow the table's memory and hold a reference to it;
 * their release frees what they allocated themselves (the child pointer arrays and
 * buffer lists) and drops the reference. */
static void release_child_schema(struct ArrowSchema *s) { s->release = NULL; }

static void release_schema(struct ArrowSchema *s) {
    for (int64_t i = 0; i < s->n_children; i++) {
        if (s->children[i]->release) s->children[i]->release(s->children[i]);
        free(s->children[i]);
    }
    free(s->children);
    table_free(s->private_data);
    s->release = NULL;
}

static void release_child_array(struct ArrowArray *a) {
    free((void *)a->buffers);
    a->release = NULL;
}

static void release_array(struct ArrowArray *a) {
    for (int64_t i = 0; i < a->n_children; i++) {
        if (a->children[i]->release) a->children[i]->release(a->children[i]);
        free(a->children[i]);
    }
    free(a->children);
    free((void *)a->buffers);
    table_free(a->private_data);
    a->release = NULL;
}

static int stream_get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out) {
    table *t = st->private_data;
    memset(out, 0, sizeof *out);
    out->format = "+s";
    out->name = "";
    out->n_children = (int64_t)t->ncols;
    out->children = calloc(t->ncols + 1, sizeof *out->children);
    for (size_t c = 0; c < t->ncols; c++) {
        struct ArrowSchema *ch = calloc(1, sizeof *ch);
        ch->format = t->cols[c].format;
        ch->name = t->cols[c].name;
        ch->flags = ARROW_FLAG_NULLABLE;
        ch->release = release_child_schema;
        out->children[c] = ch;
    }
    out->release = release_schema;
    out->private_data = t;
    t->refs++;
    return 0;
}

static int stream_get_next(struct ArrowArrayStream *st, struct ArrowArray *out) {
    table *t = st->private_data;
    memset(out, 0, sizeof *out);
    if (t->sent) return 0; /* released array: the end of the stream */
    t->sent = 1;
    out->length = (int64_t)t->nrows;
    out->n_buffers = 1;
    out->buffers = calloc(1, sizeof *out->buffers);
    out->n_children = (int64_t)t->ncols;
    out->children = calloc(t->ncols + 1, sizeof *out->children);
    for (size_t c = 0; c < t->ncols; c++) {
        column *col = &t->cols[c];
        struct ArrowArray *ch = calloc(1, sizeof *ch);
        ch->length = (int64_t)t->nrows;
        ch->null_count = -1; /* unknown: the consumer counts */
        if (col->format[0] == 'l') {
            ch->n_buffers = 2;
            const void **b = calloc(2, sizeof *b);
            b[0] = col->validity;
            b[1] = col->ints;
            ch->buffers = b;
        } else {
            ch->n_buffers = 3;
            const void **b = calloc(3, sizeof *b);
            b[0] = col->validity;
            b[1] = col->offsets;
            b[2] = col->data;
            ch->buffers = b;
        }
        ch->release = release_child_array;
        out->children[c] = ch;
    }
    out->release = release_array;
    out->private_data = t;
    t->refs++;
    return 0;
}

static const char *stream_last_error(struct ArrowArrayStream *st) {
    (void)st;
    return NULL;
}

static void stream_release(struct ArrowArrayStream *st) {
    table_free(st->private_data);
    st->release = NULL;
}

/* A stream over the rows, or an empty table when rows is NULL. */
static struct ArrowArrayStream stream_of(const cJSON *rows) {
    cJSON *empty = NULL;
    if (!rows) rows = empty = cJSON_CreateArray();
    struct ArrowArrayStream s = {stream_get_schema, stream_get_next, stream_last_error,
                                 stream_release, table_from_json(rows)};
    cJSON_Delete(empty);
    return s;
}

/* ---- Consuming: a result stream as JSON (column names and rows of text) ---------- */

static int bit(const struct ArrowArray *a, int64_t i) {
    const uint8_t *v = a->buffers[0];
    int64_t j = i + a->offset;
    return v == NULL || (v[j / 8] >> (j % 8)) & 1;
}

static cJSON *utf8_at(const struct ArrowArray *a, int64_t i) {
    const int32_t *off = a->buffers[1];
    const char *data = a->buffers[2];
    int64_t j = i + a->offset;
    int32_t len = off[j + 1] - off[j];
    char *s = malloc((size_t)len + 1);
    memcpy(s, data + off[j], (size_t)len);
    s[len] = '\0';
    cJSON *r = cJSON_CreateString(s);
    free(s);
    return r;
}

/* The cell as the CSV writer gives it (text), or null. */
static cJSON *cell(const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i) {
    if (!bit(a, i)) return cJSON_CreateNull();
    int64_t j = i + a->offset;
    char buf[32];
    if (s->dictionary) {
        int64_t k = strcmp(s->format, "c") == 0   ? ((const int8_t *)a->buffers[1])[j]
                    : strcmp(s->format, "i") == 0 ? ((const int32_t *)a->buffers[1])[j]
                                                  : ((const int16_t *)a->buffers[1])[j];
        return utf8_at(a->dictionary, k);
    }
    switch (s->format[0]) {
    case 'u': return utf8_at(a, i);
    case 'l':
        snprintf(buf, sizeof buf, "%lld", (long long)((const int64_t *)a->buffers[1])[j]);
        return cJSON_CreateString(buf);
    case 'b':
        return cJSON_CreateString((((const uint8_t *)a->buffers[1])[j / 8] >> (j % 8)) & 1
                                      ? "true"
                                      : "false");
    default:
        CHECK(0, "unexpected column format %s", s->format);
        return cJSON_CreateNull();
    }
}

/* Reads a whole result stream into {"columns": [...], "rows": [[...], ...]} and
 * releases it. */
static cJSON *consume(struct ArrowArrayStream *st) {
    cJSON *out = cJSON_CreateObject();
    cJSON *cols = cJSON_AddArrayToObject(out, "columns");
    cJSON *rows = cJSON_AddArrayToObject(out, "rows");
    struct ArrowSchema schema;
    CHECK(st->get_schema(st, &schema) == 0, "get_schema");
    CHECK(strcmp(schema.format, "+s") == 0, "a result is a struct of columns");
    for (int64_t c = 0; c < schema.n_children; c++)
        cJSON_AddItemToArray(cols, cJSON_CreateString(schema.children[c]->name));
    for (;;) {
        struct ArrowArray batch;
        CHECK(st->get_next(st, &batch) == 0, "get_next: %s", st->get_last_error(st));
        if (!batch.release) break;
        CHECK(batch.n_children == schema.n_children, "batch columns");
        for (int64_t i = 0; i < batch.length; i++) {
            cJSON *row = cJSON_CreateArray();
            for (int64_t c = 0; c < schema.n_children; c++)
                cJSON_AddItemToArray(row, cell(schema.children[c], batch.children[c], i));
            cJSON_AddItemToArray(rows, row);
        }
        batch.release(&batch);
    }
    schema.release(&schema);
    st->release(st);
    CHECK(st->release == NULL, "the result stream is released");
    return out;
}

/* The typed getters agree with the exported table `r`: names, counts, every cell as
 * text, nulls, and integer columns as int64_t. */
static void check_getters(const lc_result *res, size_t t, const cJSON *r) {
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(r, "columns");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(r, "rows");
    size_t nc = 0, nr = 0, needed = 0;
    CHECK_OK(lc_result_column_count(res, t, &nc));
    CHECK_OK(lc_result_row_count(res, t, &nr));
    CHECK(nc == (size_t)cJSON_GetArraySize(cols) && nr == (size_t)cJSON_GetArraySize(rows),
          "counts %zu x %zu", nr, nc);
    char buf[8192];
    for (size_t c = 0; c < nc; c++) {
        lc_str name;
        size_t back = 99;
        CHECK_OK(lc_result_column_name(res, t, c, &name));
        const char *want = cJSON_GetArrayItem(cols, (int)c)->valuestring;
        CHECK(str_eq(name, want) && name.ptr[name.len] == '\0', "column %zu name", c);
        CHECK_OK(lc_result_column_index(res, t, name.ptr, name.len, &back));
        CHECK(back == c, "column %s index", want);
        int ints = 1;
        for (size_t i = 0; i < nr; i++) {
            const cJSON *cell = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, (int)i), (int)c);
            bool is_null = false;
            CHECK_OK(lc_result_is_null(res, t, c, i, &is_null));
            CHECK(is_null == (bool)cJSON_IsNull(cell), "%s row %zu null", want, i);
            CHECK_OK(lc_result_str(res, t, c, i, buf, sizeof buf, &needed));
            CHECK(strcmp(buf, cJSON_IsString(cell) ? cell->valuestring : "") == 0,
                  "%s row %zu: getter `%s`", want, i, buf);
            int64_t v = 0;
            lc_status s = lc_result_i64(res, t, c, i, &v);
            if (i == 0) ints = s == LC_OK;
            if (s != LC_OK) continue;
            CHECK(ints, "%s: an integer column throughout", want);
            snprintf(buf, sizeof buf, "%lld", (long long)v);
            CHECK(is_null ? v == LC_NO_VALUE : strcmp(buf, cell->valuestring) == 0,
                  "%s row %zu: i64 %s", want, i, buf);
        }
    }
    CHECK(lc_result_column_name(res, t, nc, &(lc_str){0, 0}) == LC_OUT_OF_RANGE, "past the end");
    CHECK(nr == 0 || lc_result_str(res, t, 0, nr, buf, sizeof buf, NULL) == LC_OUT_OF_RANGE,
          "row past the end");
}

/* Table `table` of a result, exported as an Arrow stream and read back as JSON, the
 * getters checked against it. */
static cJSON *result_table(const lc_result *res, const char *table) {
    size_t t = 0;
    CHECK_OK(lc_result_table_index(res, table, strlen(table), &t));
    lc_str name;
    CHECK_OK(lc_result_table_name(res, t, &name));
    CHECK(str_eq(name, table), "table name");
    struct ArrowArrayStream st;
    CHECK_OK(lc_result_export(res, t, &st));
    cJSON *r = consume(&st);
    check_getters(res, t, r);
    return r;
}

/* The result's text, malloc'd. */
static char *result_text(const lc_result *res) {
    size_t needed = 0;
    lc_result_text(res, NULL, 0, &needed);
    char *text = malloc(needed + 1);
    CHECK_OK(lc_result_text(res, text, needed + 1, &needed));
    return text;
}

/* ---- Checks ---------------------------------------------------------------------- */

/* The result's columns are the description's, as lc_table_column gives them. */
static void check_columns(const cJSON *result, const char *table_name, const char *name) {
    size_t count = 0;
    char col[128];
    size_t needed = 0;
    CHECK_OK(lc_table_column(table_name, strlen(table_name), 0, col, sizeof col, &needed, &count));
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(result, "columns");
    size_t have = (size_t)cJSON_GetArraySize(cols);
    /* classification leaves out unit_id without ids and reasons when not asked for. */
    CHECK(have <= count, "%s: %zu columns, the description has %zu", name, have, count);
    size_t k = 0;
    for (size_t c = 0; c < count && k < have; c++) {
        CHECK_OK(lc_table_column(table_name, strlen(table_name), c, col, sizeof col, &needed,
                                 NULL));
        if (strcmp(cJSON_GetArrayItem(cols, (int)k)->valuestring, col) == 0) k++;
    }
    CHECK(k == have, "%s: columns out of the description's order or unknown", name);
    CHECK(lc_table_column(table_name, strlen(table_name), count, col, sizeof col, &needed,
                          NULL) == LC_OUT_OF_RANGE,
          "past the last column");
}

static int col_index(const cJSON *result, const char *col) {
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(result, "columns")) {
        if (strcmp(c->valuestring, col) == 0) return i;
        i++;
    }
    CHECK(0, "no column %s", col);
    return -1;
}

static const char *value(const cJSON *result, size_t row, const char *col) {
    int c = col_index(result, col);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, "rows"), (int)row);
    const cJSON *v = c < 0 ? NULL : cJSON_GetArrayItem(r, c);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static size_t row_count(const cJSON *result) {
    return (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result, "rows"));
}

static void check_i64(const cJSON *result, size_t row, const char *col, const cJSON *want,
                      const char *name) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)want->valuedouble);
    CHECK(strcmp(value(result, row, col), buf) == 0, "%s: row %zu %s: %s, expected %s", name,
          row, col, value(result, row, col), buf);
}

static void dump(const cJSON *result, const char *out_dir, const char *kind, const char *path) {
    char dir[4096], file[8192];
    snprintf(dir, sizeof dir, "%s/%s", out_dir, kind);
    mkdir(out_dir, 0755);
    mkdir(dir, 0755);
    const char *base = strrchr(path, '/');
    snprintf(file, sizeof file, "%s/%s", dir, base ? base + 1 : path);
    FILE *f = fopen(file, "wb");
    CHECK(f != NULL, "cannot write %s", file);
    if (!f) return;
    char *text = cJSON_Print(result);
    fputs(text, f);
    fclose(f);
    free(text);
}

static lc_ruleset *load_ruleset(const cJSON *v) {
    lc_ruleset *rs = NULL;
    const char *builtin = json_str(v, "ruleset");
    const char *toml = json_str(v, "ruleset_toml");
    if (builtin) CHECK_OK(lc_ruleset_builtin(builtin, strlen(builtin), &rs));
    if (toml) CHECK_OK(lc_ruleset_from_toml(toml, strlen(toml), &rs));
    return rs;
}

static const char *out_dir;

static void run_classify(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v);
    struct ArrowArrayStream in = stream_of(cJSON_GetObjectItemCaseSensitive(v, "units"));
    lc_result *res = NULL;
    lc_status s = lc_classify_arrow(rs, &in, true, &res);
    CHECK(in.release == NULL, "%s: the input stream was moved in", name);
    CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    if (s != LC_OK) {
        lc_ruleset_free(rs);
        return;
    }
    cJSON *r = result_table(res, "classification");
    lc_result_free(res);
    check_columns(r, "classification", name);
    const cJSON *e;
    size_t i = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(v, "expected")) {
        CHECK(strcmp(value(r, i, "tier"), json_str(e, "tier")) == 0, "%s: row %zu tier %s", name,
              i, value(r, i, "tier"));
        CHECK(strcmp(value(r, i, "band_status"), json_str(e, "band_status")) == 0,
              "%s: row %zu band", name, i);
        if (json_str(e, "reasons"))
            CHECK(strcmp(value(r, i, "reasons"), json_str(e, "reasons")) == 0,
                  "%s: row %zu reasons", name, i);
        i++;
    }
    /* Generated cases (tests/differential.py) state no expected rows. */
    CHECK(i == row_count(r) || !cJSON_GetObjectItemCaseSensitive(v, "expected"), "%s: rows", name);
    dump(r, out_dir, "classify", name);
    cJSON_Delete(r);
    lc_ruleset_free(rs);
}

static void run_validate(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v);
    struct ArrowArrayStream in = stream_of(cJSON_GetObjectItemCaseSensitive(v, "footprint"));
    lc_result *report = NULL;
    lc_status s = lc_validate_arrow(rs, &in, &report);
    CHECK(in.release == NULL, "%s: the input stream was moved in", name);
    /* A refused input (a generated negative population) is a failed check here, and
       no table is written: tests/differential.py compares the refusal in Python. */
    CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    if (s != LC_OK) {
        lc_ruleset_free(rs);
        return;
    }
    cJSON *r = result_table(report, "findings");
    char *text = result_text(report);
    CHECK(strlen(text) > 0, "%s: the report has its text", name);
    free(text);
    check_columns(r, "findings", name);
    /* Every expected (code, unit) is among the findings. */
    const cJSON *want;
    cJSON_ArrayForEach(want,
                       cJSON_GetObjectItemCaseSensitive(
                           cJSON_GetObjectItemCaseSensitive(v, "expected"), "findings")) {
        const char *code = cJSON_GetArrayItem(want, 0)->valuestring;
        const cJSON *unit = cJSON_GetArrayItem(want, 1);
        int found = 0;
        for (size_t i = 0; i < row_count(r); i++) {
            if (strcmp(value(r, i, "code"), code) != 0) continue;
            const char *u = value(r, i, "unit_id");
            if (cJSON_IsString(unit) ? strcmp(u, unit->valuestring) == 0 : u[0] == '\0') found = 1;
        }
        CHECK(found, "%s: finding %s missing", name, code);
    }
    dump(r, out_dir, "validate", name);
    cJSON_Delete(r);
    lc_result_free(report);
    lc_ruleset_free(rs);
}

static void run_allocate(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v);
    const cJSON *needs = cJSON_GetObjectItemCaseSensitive(v, "needs");
    const cJSON *baselines = cJSON_GetObjectItemCaseSensitive(v, "baselines");
    struct ArrowArrayStream fp = stream_of(cJSON_GetObjectItemCaseSensitive(v, "footprint"));
    struct ArrowArrayStream nd = stream_of(cJSON_IsArray(needs) ? needs : NULL);
    struct ArrowArrayStream bl = stream_of(cJSON_IsArray(baselines) ? baselines : NULL);
    int have_needs = cJSON_IsArray(needs) && cJSON_GetArraySize(needs) > 0;
    int have_baselines = cJSON_IsArray(baselines) && cJSON_GetArraySize(baselines) > 0;
    if (!have_needs) nd.release(&nd);
    if (!have_baselines) bl.release(&bl);
    int64_t budget = (int64_t)cJSON_GetObjectItemCaseSensitive(v, "budget_pence")->valuedouble;
    lc_result *out = NULL;
    lc_status s = lc_allocate_arrow(rs, &fp, budget, have_needs ? &nd : NULL,
                                    have_baselines ? &bl : NULL, S(json_str(v, "explain")), &out);
    CHECK(fp.release == NULL && nd.release == NULL && bl.release == NULL,
          "%s: every input stream is released, whatever the status", name);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s != LC_OK, "%s: expected an error", name);
        CHECK(strstr(last_error(), want_error) != NULL, "%s: `%s` lacks `%s`", name, last_error(),
              want_error);
        lc_ruleset_free(rs);
        return;
    }
    CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    if (s != LC_OK) {
        lc_ruleset_free(rs);
        return;
    }
    cJSON *r = result_table(out, "allocation");
    lc_result_free(out);
    check_columns(r, "allocation", name);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(v, "expected"), "rows")) {
        const char *uid = json_str(e, "unit_id");
        int found = 0;
        for (size_t i = 0; i < row_count(r); i++) {
            if (strcmp(value(r, i, "unit_id"), uid) != 0) continue;
            found = 1;
            const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "allocation_pence");
            if (cJSON_IsNumber(a)) check_i64(r, i, "allocation_pence", a, name);
        }
        CHECK(found, "%s: no row for %s", name, uid);
    }
    dump(r, out_dir, "allocate", name);
    cJSON_Delete(r);
    lc_ruleset_free(rs);
}

/* A sweep vector: scenarios (and per-scenario baselines) through lc_sweep_arrow; every
 * expected row, in order, or the expected error. */
static void run_sweep(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v);
    const cJSON *baselines = cJSON_GetObjectItemCaseSensitive(v, "baselines");
    int have_baselines = cJSON_IsArray(baselines) && cJSON_GetArraySize(baselines) > 0;
    struct ArrowArrayStream fp = stream_of(cJSON_GetObjectItemCaseSensitive(v, "footprint"));
    struct ArrowArrayStream sc = stream_of(cJSON_GetObjectItemCaseSensitive(v, "scenarios"));
    struct ArrowArrayStream bl = stream_of(have_baselines ? baselines : NULL);
    if (!have_baselines) bl.release(&bl);
    lc_result *out = NULL;
    lc_status s = lc_sweep_arrow(rs, &fp, NULL, &sc, have_baselines ? &bl : NULL, &out);
    CHECK(fp.release == NULL && sc.release == NULL && bl.release == NULL,
          "%s: every input stream is released, whatever the status", name);
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(v, "expected");
    const char *want_error = json_str(expected, "error");
    if (want_error) {
        CHECK(s != LC_OK, "%s: expected an error", name);
        CHECK(strstr(last_error(), want_error) != NULL, "%s: `%s` lacks `%s`", name, last_error(),
              want_error);
        lc_ruleset_free(rs);
        return;
    }
    CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    if (s != LC_OK) {
        lc_ruleset_free(rs);
        return;
    }
    cJSON *r = result_table(out, "sweep");
    lc_result_free(out);
    check_columns(r, "sweep", name);
    const cJSON *e;
    size_t i = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(expected, "rows")) {
        CHECK(strcmp(value(r, i, "scenario"), json_str(e, "scenario")) == 0, "%s: row %zu scenario",
              name, i);
        CHECK(strcmp(value(r, i, "unit_id"), json_str(e, "unit_id")) == 0, "%s: row %zu unit", name,
              i);
        check_i64(r, i, "allocation_pence", cJSON_GetObjectItemCaseSensitive(e, "allocation_pence"),
                  name);
        check_i64(r, i, "target_pence", cJSON_GetObjectItemCaseSensitive(e, "target_pence"), name);
        i++;
    }
    CHECK(i == row_count(r), "%s: %zu rows, expected %zu", name, row_count(r), i);
    dump(r, out_dir, "sweep", name);
    cJSON_Delete(r);
    lc_ruleset_free(rs);
}

static void run_settle(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v);
    struct ArrowArrayStream in = stream_of(cJSON_GetObjectItemCaseSensitive(v, "inputs"));
    lc_result *out = NULL;
    lc_status s = lc_settle_arrow(rs, &in, &out);
    CHECK(in.release == NULL, "%s: the input stream was moved in", name);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s == LC_SETTLEMENT_ERROR, "%s: gave %s", name, lc_status_name(s));
        CHECK(strstr(last_error(), want_error) != NULL, "%s: `%s` lacks `%s`", name, last_error(),
              want_error);
        lc_ruleset_free(rs);
        return;
    }
    CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    if (s != LC_OK) {
        lc_ruleset_free(rs);
        return;
    }
    cJSON *r = result_table(out, "settlement");
    lc_result_free(out);
    check_columns(r, "settlement", name);
    const cJSON *e;
    size_t i = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(v, "expected")) {
        static const char *const pence[] = {"savings_pence", "amount_before_cap_pence",
                                            "cap_pence", "final_pence"};
        for (size_t k = 0; k < sizeof pence / sizeof *pence; k++)
            check_i64(r, i, pence[k], cJSON_GetObjectItemCaseSensitive(e, pence[k]), name);
        CHECK(strcmp(value(r, i, "minimum_rate_met"),
                     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "minimum_rate_met"))
                         ? "true"
                         : "false") == 0,
              "%s: row %zu minimum_rate_met", name, i);
        i++;
    }
    CHECK(i == row_count(r) || !cJSON_GetObjectItemCaseSensitive(v, "expected"), "%s: rows", name);
    dump(r, out_dir, "settle", name);
    cJSON_Delete(r);
    lc_ruleset_free(rs);
}

static int cell_is(const cJSON *got, const cJSON *want);

/* tests/vectors/shift/ through lc_shift_arrow: the model (`shift`, `shift_settle`) and
 * its inverse questions (the `answers` table). */
static void run_shift(const cJSON *v, const char *name) {
    const char *q = json_str(v, "question");
    uint32_t question = strcmp(q, "break_even_reduction") == 0                 ? LC_SHIFT_BREAK_EVEN
                        : strcmp(q, "reduction_for_minimum_savings_rate") == 0 ? LC_SHIFT_MINIMUM_SAVINGS_RATE
                        : strcmp(q, "reduction_for_target") == 0               ? LC_SHIFT_TARGET
                                                                               : LC_SHIFT_RUN;
    int settle = strcmp(q, "shift_settle") == 0 || question == LC_SHIFT_MINIMUM_SAVINGS_RATE;
    lc_ruleset *rs = load_ruleset(v);
    if (!rs) {
        CHECK(json_str(v, "expected_error") != NULL, "%s: no ruleset", name);
        return;
    }
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(v, "inputs");
    cJSON *activity = cJSON_CreateArray(), *benchmarks = cJSON_CreateArray();
    const cJSON *row;
    cJSON_ArrayForEach(row, inputs) {
        cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject();
        const cJSON *cell;
        cJSON_ArrayForEach(cell, row) {
            int bench = strcmp(cell->string, "benchmark_pence") == 0 ||
                        strcmp(cell->string, "assigned_population") == 0 ||
                        strcmp(cell->string, "quality") == 0;
            if (bench || strcmp(cell->string, "unit_id") == 0)
                cJSON_AddItemToObject(b, cell->string, cJSON_Duplicate(cell, 1));
            if (!bench) cJSON_AddItemToObject(a, cell->string, cJSON_Duplicate(cell, 1));
        }
        cJSON_AddItemToArray(activity, a);
        cJSON_AddItemToArray(benchmarks, b);
    }
    struct ArrowArrayStream act = stream_of(activity), bench = stream_of(benchmarks);
    if (!settle) bench.release(&bench);
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(v, "target_pence");
    lc_result *out = NULL;
    lc_status s = lc_shift_arrow(rs, &act, settle ? &bench : NULL, question,
                                 cJSON_IsNumber(target) ? (int64_t)target->valuedouble : LC_NO_VALUE,
                                 &out);
    CHECK(act.release == NULL && bench.release == NULL, "%s: inputs released", name);
    const char *want_error = json_str(v, "expected_error");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(v, "expected");
    if (want_error) {
        /* The core names a batch's row; the table reader may name it too. */
        const char *tail = strncmp(want_error, "row ", 4) == 0 ? strstr(want_error, ": ") + 2 : want_error;
        CHECK(s == LC_SHIFT_ERROR || s == LC_INPUT_ERROR, "%s: gave %s", name, lc_status_name(s));
        CHECK(strstr(last_error(), tail) != NULL, "%s: `%s` lacks `%s`", name, last_error(), tail);
    } else if (question != LC_SHIFT_RUN) {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
        if (s == LC_OK) {
            cJSON *r = result_table(out, "answers");
            check_columns(r, "answers", name);
            const cJSON *got = cJSON_GetArrayItem(cJSON_GetArrayItem(
                cJSON_GetObjectItemCaseSensitive(r, "rows"), 0), col_index(r, "reduction"));
            CHECK(cell_is(got, cJSON_GetObjectItemCaseSensitive(expected, "reduction")),
                  "%s: reduction", name);
            check_i64(r, 0, "net_savings_pence",
                      cJSON_GetObjectItemCaseSensitive(expected, "net_savings_pence"), name);
            char *text = result_text(out);
            CHECK(strlen(text) > 0, "%s: the answer in words", name);
            free(text);
            cJSON_Delete(r);
        }
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
        if (s == LC_OK) {
            cJSON *r = result_table(out, "shift");
            check_columns(r, "shift", name);
            const cJSON *rows = settle ? expected : cJSON_GetObjectItemCaseSensitive(expected, "units");
            const cJSON *e;
            size_t i = 0;
            cJSON_ArrayForEach(e, rows) {
                static const char *const pence[] = {"net_savings_pence", "gross_savings_pence",
                                                    "reinvestment_pence", "expected_actual_pence",
                                                    "final_pence"};
                for (size_t k = 0; k < sizeof pence / sizeof *pence; k++) {
                    const cJSON *want = cJSON_GetObjectItemCaseSensitive(e, pence[k]);
                    if (cJSON_IsNumber(want)) check_i64(r, i, pence[k], want, name);
                }
                i++;
            }
            CHECK(i == row_count(r), "%s: rows", name);
            cJSON_Delete(r);
        }
    }
    lc_result_free(out);
    cJSON_Delete(activity);
    cJSON_Delete(benchmarks);
    lc_ruleset_free(rs);
}

/* Bad input through Arrow: a clear error, the input released, nothing written. */
static void run_bad_inputs(void) {
    lc_ruleset *rs = NULL;
    CHECK_OK(lc_ruleset_builtin("kent-medway-2017", 16, &rs));
    cJSON *rows = cJSON_Parse("[{\"unit_id\": \"a\", \"population\": \"lots\"}]");
    struct ArrowArrayStream in = stream_of(rows);
    lc_result *out = (lc_result *)&rows;
    CHECK(lc_classify_arrow(rs, &in, true, &out) == LC_INPUT_ERROR, "text population");
    CHECK(strstr(last_error(),
                 "units: column `population`, row 0: population `lots` is not a number of people") !=
              NULL,
          "message: %s", last_error());
    CHECK(in.release == NULL, "input released on error");
    CHECK(out == (lc_result *)&rows, "out untouched on error");
    cJSON_Delete(rows);

    rows = cJSON_Parse("[{\"unit_id\": \"a\"}]");
    in = stream_of(rows);
    CHECK(lc_classify_arrow(rs, &in, true, &out) == LC_INPUT_ERROR, "missing population");
    CHECK(strstr(last_error(), "units: column `population`: missing") != NULL, "message: %s",
          last_error());
    cJSON_Delete(rows);

    rows = cJSON_Parse("[{\"population\": 5}]");
    in = stream_of(rows);
    CHECK(lc_classify_arrow(NULL, &in, true, &out) == LC_NULL_ARGUMENT, "NULL ruleset");
    CHECK(in.release == NULL, "input released on a NULL argument too");
    in = stream_of(rows);
    CHECK(lc_classify_arrow(rs, &in, true, NULL) == LC_NULL_ARGUMENT, "NULL out");
    CHECK(in.release == NULL, "input released on a NULL out");
    CHECK(lc_classify_arrow(rs, NULL, true, &out) == LC_NULL_ARGUMENT, "NULL input");
    CHECK(lc_classify_arrow(rs, &in, true, &out) == LC_INPUT_ERROR, "a released stream");
    CHECK(strstr(last_error(), "already released") != NULL, "message: %s", last_error());
    cJSON_Delete(rows);

    char col[8];
    size_t needed = 0;
    CHECK(lc_table_column("nope", 4, 0, col, sizeof col, &needed, NULL) == LC_NOT_FOUND,
          "unknown table");
    CHECK(lc_table_column("settlement", 10, 1, col, sizeof col, &needed, NULL) ==
              LC_BUFFER_TOO_SMALL,
          "benchmark_pence does not fit in 8 bytes");
    CHECK(needed == strlen("benchmark_pence"), "needed %zu", needed);
    lc_ruleset_free(rs);
}

/* ---- The bad-input matrix (tests/bad-inputs/README.md) --------------------------- */

static char *replace_first(const char *text, const char *from, const char *to) {
    const char *at = strstr(text, from);
    CHECK(at != NULL, "the case's fixture drifted from the built-in ruleset");
    if (!at) return strdup(text);
    size_t head = (size_t)(at - text), lf = strlen(from), lt = strlen(to);
    char *out = malloc(strlen(text) - lf + lt + 1);
    memcpy(out, text, head);
    memcpy(out + head, to, lt);
    strcpy(out + head + lt, at + lf);
    return out;
}

static lc_status expected_status(const char *kind) {
    if (strcmp(kind, "input") == 0) return LC_INPUT_ERROR;
    if (strcmp(kind, "ruleset") == 0) return LC_RULESET_ERROR;
    if (strcmp(kind, "allocation") == 0) return LC_ALLOCATION_ERROR;
    if (strcmp(kind, "appraisal") == 0) return LC_APPRAISAL_ERROR;
    if (strcmp(kind, "bridge") == 0) return LC_BRIDGE_ERROR;
    return LC_SETTLEMENT_ERROR;
}

/* Runs one case; returns the status and leaves the message in last_error(). */
static lc_status run_bad_case(const cJSON *doc, const cJSON *c, const char *builtin_toml) {
    lc_ruleset *rs = NULL;
    lc_status s;
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(c, "ruleset_replace");
    if (rep) {
        char *text = replace_first(builtin_toml, cJSON_GetArrayItem(rep, 0)->valuestring,
                                   cJSON_GetArrayItem(rep, 1)->valuestring);
        s = lc_ruleset_from_toml(text, strlen(text), &rs);
        free(text);
    } else {
        const char *name = json_str(c, "ruleset") ? json_str(c, "ruleset") : json_str(doc, "ruleset");
        s = lc_ruleset_builtin(name, strlen(name), &rs);
    }
    if (s != LC_OK) return s;
    const char *call = json_str(doc, "call");
    lc_result *const sentinel = (lc_result *)&s;
    lc_result *out = sentinel;
    if (strcmp(call, "classify") == 0) {
        struct ArrowArrayStream in = stream_of(cJSON_GetObjectItemCaseSensitive(c, "units"));
        s = lc_classify_arrow(rs, &in, true, &out);
        CHECK(in.release == NULL, "input released");
    } else if (strcmp(call, "validate") == 0) {
        struct ArrowArrayStream in = stream_of(cJSON_GetObjectItemCaseSensitive(c, "footprint"));
        s = lc_validate_arrow(rs, &in, &out);
        CHECK(in.release == NULL, "input released");
    } else if (strcmp(call, "allocate") == 0) {
        const cJSON *needs = cJSON_GetObjectItemCaseSensitive(c, "needs");
        const cJSON *baselines = cJSON_GetObjectItemCaseSensitive(c, "baselines");
        struct ArrowArrayStream fp = stream_of(cJSON_GetObjectItemCaseSensitive(c, "footprint"));
        struct ArrowArrayStream nd, bl;
        int have_needs = cJSON_GetArraySize(needs) > 0, have_baselines = cJSON_GetArraySize(baselines) > 0;
        if (have_needs) nd = stream_of(needs);
        if (have_baselines) bl = stream_of(baselines);
        int64_t budget = (int64_t)cJSON_GetObjectItemCaseSensitive(c, "budget_pence")->valuedouble;
        s = lc_allocate_arrow(rs, &fp, budget, have_needs ? &nd : NULL, have_baselines ? &bl : NULL,
                              S(NULL), &out);
        CHECK(fp.release == NULL && (!have_needs || nd.release == NULL) &&
                  (!have_baselines || bl.release == NULL),
              "inputs released");
    } else if (strcmp(call, "appraise") == 0) {
        const cJSON *options = cJSON_GetObjectItemCaseSensitive(c, "options");
        const cJSON *scores = cJSON_GetObjectItemCaseSensitive(c, "scores");
        const cJSON *spo = cJSON_GetObjectItemCaseSensitive(c, "sites_per_option");
        const cJSON *bound = cJSON_GetObjectItemCaseSensitive(c, "max_options");
        int have_options = cJSON_GetArraySize(options) > 0, have_scores = cJSON_GetArraySize(scores) > 0;
        struct ArrowArrayStream st = stream_of(cJSON_GetObjectItemCaseSensitive(c, "sites"));
        struct ArrowArrayStream zn = stream_of(cJSON_GetObjectItemCaseSensitive(c, "zones"));
        struct ArrowArrayStream tr = stream_of(cJSON_GetObjectItemCaseSensitive(c, "travel"));
        struct ArrowArrayStream op, sc;
        if (have_options) op = stream_of(options);
        if (have_scores) sc = stream_of(scores);
        size_t min_sites = 0, max_sites = 0;
        uint64_t max_options = 0;
        if (cJSON_IsArray(spo)) {
            min_sites = (size_t)cJSON_GetArrayItem(spo, 0)->valuedouble;
            max_sites = (size_t)cJSON_GetArrayItem(spo, 1)->valuedouble;
        }
        if (cJSON_IsNumber(bound)) max_options = (uint64_t)bound->valuedouble;
        s = lc_appraise_arrow(rs, &st, &zn, &tr, have_options ? &op : NULL, have_scores ? &sc : NULL,
                              min_sites, max_sites, max_options, NULL, NULL, 0, S(NULL), &out);
        CHECK(st.release == NULL && zn.release == NULL && tr.release == NULL &&
                  (!have_options || op.release == NULL) && (!have_scores || sc.release == NULL),
              "inputs released");
    } else if (strcmp(call, "bridge") == 0) {
        const cJSON *activity = cJSON_GetObjectItemCaseSensitive(c, "activity");
        struct ArrowArrayStream st = stream_of(cJSON_GetObjectItemCaseSensitive(c, "steps")), ac;
        if (activity) ac = stream_of(activity);
        s = lc_bridge_arrow(rs, &st, activity ? &ac : NULL, &out);
        CHECK(st.release == NULL && (!activity || ac.release == NULL), "inputs released");
    } else {
        struct ArrowArrayStream in = stream_of(cJSON_GetObjectItemCaseSensitive(c, "inputs"));
        s = lc_settle_arrow(rs, &in, &out);
        CHECK(in.release == NULL, "input released");
    }
    if (s == LC_OK) {
        lc_result_free(out);
    } else {
        CHECK(out == sentinel, "out written on error");
    }
    lc_ruleset_free(rs);
    return s;
}

static size_t run_bad_inputs_matrix(const char *dir, const char *ruleset_path) {
    char *builtin_toml = read_file(ruleset_path);
    CHECK(builtin_toml != NULL, "cannot read %s", ruleset_path);
    if (!builtin_toml) return 0;
    char **names = NULL;
    size_t n = list_json(dir, &names), count = 0;
    for (size_t f = 0; f < n; f++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        char *text = read_file(path);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        /* The practice file's loader is the CLI's and Python's (`localcare practices`):
         * a C caller passes the footprint and needs tables it writes. */
        const char *call = json_str(doc, "call");
        if (call && strcmp(call, "practices") == 0) {
            cJSON_Delete(doc);
            free(text);
            free(names[f]);
            continue;
        }
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "cases")) {
            count++;
            const char *name = json_str(c, "name"), *kind = json_str(c, "error");
            lc_status s = run_bad_case(doc, c, builtin_toml);
            CHECK(s == expected_status(kind), "%s: %s: gave %s: %s", names[f], name,
                  lc_status_name(s), last_error());
            CHECK(strstr(last_error(), json_str(c, "message")) != NULL, "%s: %s: `%s` lacks `%s`",
                  names[f], name, last_error(), json_str(c, "message"));
            if (strcmp(kind, "input") == 0) {
                char where[256];
                const cJSON *row = cJSON_GetObjectItemCaseSensitive(c, "row");
                if (cJSON_IsNumber(row))
                    snprintf(where, sizeof where, "column `%s`, row %d", json_str(c, "column"),
                             row->valueint);
                else
                    snprintf(where, sizeof where, "column `%s`: ", json_str(c, "column"));
                CHECK(strstr(last_error(), where) != NULL, "%s: %s: `%s` does not name `%s`",
                      names[f], name, last_error(), where);
            }
        }
        cJSON_Delete(doc);
        free(text);
        free(names[f]);
    }
    free(names);
    free(builtin_toml);
    CHECK(count >= 60, "the matrix has %zu cases", count);
    return count;
}

/* ---- appraise ------------------------------------------------------------------- */

/* Whether a result cell (text or null) is the expected JSON value: decimal text compared
 * as a number, an integer as its digits, a boolean as true/false. */
static int cell_is(const cJSON *got, const cJSON *want) {
    if (!want || cJSON_IsNull(want)) return cJSON_IsNull(got);
    if (!cJSON_IsString(got)) return 0;
    const char *g = got->valuestring;
    if (cJSON_IsBool(want)) return strcmp(g, cJSON_IsTrue(want) ? "true" : "false") == 0;
    if (cJSON_IsNumber(want)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)want->valuedouble);
        return strcmp(g, buf) == 0;
    }
    if (strcmp(g, want->valuestring) == 0) return 1;
    char *end1, *end2;
    double a = strtod(g, &end1), b = strtod(want->valuestring, &end2);
    return *g && *want->valuestring && !*end1 && !*end2 && a == b;
}

/* tests/vectors/appraise/ through lc_appraise_arrow and its result: the
 * four tables, cell by cell where the vector gives them, dumped with the explanation
 * for the cross-face test. */
static void run_appraise(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v);
    if (!rs) return;
    const cJSON *options = cJSON_GetObjectItemCaseSensitive(v, "options");
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(v, "scores");
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(v, "weights");
    struct ArrowArrayStream sites = stream_of(cJSON_GetObjectItemCaseSensitive(v, "sites"));
    struct ArrowArrayStream zones = stream_of(cJSON_GetObjectItemCaseSensitive(v, "zones"));
    struct ArrowArrayStream travel = stream_of(cJSON_GetObjectItemCaseSensitive(v, "travel"));
    struct ArrowArrayStream opts = stream_of(cJSON_IsArray(options) ? options : NULL);
    struct ArrowArrayStream scs = stream_of(cJSON_IsArray(scores) ? scores : NULL);
    int with_options = cJSON_IsArray(options), with_scores = cJSON_GetArraySize(scores) > 0;
    if (!with_options) opts.release(&opts);
    if (!with_scores) scs.release(&scs);
    size_t nw = cJSON_IsObject(weights) ? (size_t)cJSON_GetArraySize(weights) : 0;
    lc_str *wc = calloc(nw + 1, sizeof *wc), *wv = calloc(nw + 1, sizeof *wv);
    char (*nums)[32] = calloc(nw + 1, sizeof *nums);
    size_t i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, weights) {
        wc[i] = S(x->string);
        if (cJSON_IsNumber(x)) snprintf(nums[i], 32, "%g", x->valuedouble);
        wv[i] = S(cJSON_IsString(x) ? x->valuestring : nums[i]);
        i++;
    }
    lc_result *ap = NULL;
    lc_status s = lc_appraise_arrow(rs, &sites, &zones, &travel, with_options ? &opts : NULL,
                                    with_scores ? &scs : NULL, 0, 0, 0, wc, wv, nw, S(NULL), &ap);
    CHECK(sites.release == NULL && zones.release == NULL && travel.release == NULL &&
              opts.release == NULL && scs.release == NULL,
          "%s: inputs released", name);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s == LC_APPRAISAL_ERROR && ap == NULL, "%s: gave %s", name, lc_status_name(s));
        CHECK(strstr(last_error(), want_error) != NULL, "%s: `%s` lacks `%s`", name, last_error(),
              want_error);
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
    }
    if (s == LC_OK) {
        const cJSON *expected = cJSON_GetObjectItemCaseSensitive(v, "expected");
        cJSON *all = cJSON_CreateObject();
        static const char *const tables[] = {"appraisal", "hurdles", "volumes", "evaluation"};
        for (size_t t = 0; t < 4; t++) {
            cJSON *r = result_table(ap, tables[t]);
            check_columns(r, tables[t], name);
            const cJSON *rows = cJSON_GetObjectItemCaseSensitive(expected, tables[t]);
            CHECK((size_t)cJSON_GetArraySize(rows) == row_count(r), "%s: %s rows", name, tables[t]);
            const cJSON *e, *want;
            size_t k = 0;
            cJSON_ArrayForEach(e, rows) {
                cJSON_ArrayForEach(want, e) {
                    int c = col_index(r, want->string);
                    const cJSON *got = cJSON_GetArrayItem(
                        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "rows"), (int)k), c);
                    CHECK(cell_is(got, want), "%s: %s row %zu %s", name, tables[t], k, want->string);
                }
                k++;
            }
            cJSON_AddItemToObject(all, tables[t], r);
        }
        char *text = result_text(ap);
        cJSON_AddStringToObject(all, "explanation", text);
        free(text);
        size_t t = 0;
        CHECK_STATUS(lc_result_table_index(ap, "nope", 4, &t), LC_NOT_FOUND);
        dump(all, out_dir, "appraise", name);
        cJSON_Delete(all);
    }
    lc_result_free(ap);
    free(wc);
    free(wv);
    free(nums);
    lc_ruleset_free(rs);
}

/* tests/vectors/bridge/ through lc_bridge_arrow: the `bridge` table, cell by cell where
 * the vector gives it, or the refusal the vector names. */
static void run_bridge(const cJSON *v, const char *name) {
    lc_ruleset *rs = load_ruleset(v);
    if (!rs) {
        CHECK(0, "%s: no ruleset", name);
        return;
    }
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(v, "steps");
    const cJSON *activity = cJSON_GetObjectItemCaseSensitive(v, "activity");
    struct ArrowArrayStream st, ac;
    if (steps) st = stream_of(steps);
    if (activity) ac = stream_of(activity);
    lc_result *out = NULL;
    lc_status s = lc_bridge_arrow(rs, steps ? &st : NULL, activity ? &ac : NULL, &out);
    CHECK((!steps || st.release == NULL) && (!activity || ac.release == NULL), "%s: inputs released",
          name);
    const char *want_error = json_str(v, "expected_error");
    if (want_error) {
        CHECK(s == LC_BRIDGE_ERROR && out == NULL, "%s: gave %s", name, lc_status_name(s));
        CHECK(strstr(last_error(), want_error) != NULL, "%s: `%s` lacks `%s`", name, last_error(),
              want_error);
    } else {
        CHECK(s == LC_OK, "%s: %s: %s", name, lc_status_name(s), last_error());
        if (s == LC_OK) {
            cJSON *r = result_table(out, "bridge");
            check_columns(r, "bridge", name);
            const cJSON *rows = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(v, "expected"), "rows");
            CHECK((size_t)cJSON_GetArraySize(rows) == row_count(r), "%s: rows", name);
            const cJSON *e;
            size_t i = 0;
            cJSON_ArrayForEach(e, rows) {
                const cJSON *want;
                cJSON_ArrayForEach(want, e) {
                    int c = col_index(r, want->string);
                    const cJSON *got = cJSON_GetArrayItem(
                        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "rows"), (int)i), c);
                    CHECK(cell_is(got, want), "%s: row %zu %s", name, i, want->string);
                }
                i++;
            }
            char *text = result_text(out);
            CHECK(strstr(text, "residual: ") != NULL, "%s: the bridge in words", name);
            cJSON_AddStringToObject(r, "explanation", text);
            free(text);
            dump(r, out_dir, "bridge", name);
            cJSON_Delete(r);
        }
    }
    lc_result_free(out);
    lc_ruleset_free(rs);
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: %s VECTORS_DIR OUT_DIR [BAD_INPUTS_DIR RULESET_TOML]\n", argv[0]);
        return 2;
    }
    out_dir = argv[2];
    static const struct {
        const char *kind;
        void (*run)(const cJSON *, const char *);
    } kinds[] = {{"classify", run_classify},
                 {"validate", run_validate},
                 {"allocate", run_allocate},
                 {"settle", run_settle},
                 {"sweep", run_sweep},
                 {"shift", run_shift},
                 {"appraise", run_appraise},
                 {"bridge", run_bridge}};
    size_t vectors = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[1], kinds[k].kind);
        char **names = NULL;
        size_t n = list_json(dir, &names);
        CHECK(n > 0 || strcmp(kinds[k].kind, "shift") == 0, "no vectors in %s", dir);
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
    run_bad_inputs();
    size_t bad = argc == 5 ? run_bad_inputs_matrix(argv[3], argv[4]) : 0;
    printf("arrow vectors run: %zu; bad inputs: %zu\n", vectors, bad);
    return check_report("test_arrow");
}
