/* A tiny check harness shared by the C tests: counts passes and failures, prints each
 * failure with its place, and gives the calling thread's last error message. */
#ifndef LC_TEST_CHECK_H
#define LC_TEST_CHECK_H

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <localcare.h>

static atomic_long check_passed;
static atomic_long check_failed;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (cond) {                                                                        \
            atomic_fetch_add(&check_passed, 1);                                            \
        } else {                                                                           \
            atomic_fetch_add(&check_failed, 1);                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                           \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
        }                                                                                  \
    } while (0)

/* The calling thread's last error message, in a per-thread buffer. */
static const char *last_error(void) {
    static _Thread_local char buf[8192];
    size_t needed = 0;
    buf[0] = '\0';
    if (lc_last_error_message(buf, sizeof buf, &needed) != LC_OK) {
        snprintf(buf, sizeof buf, "<message of %zu bytes did not fit>", needed);
    }
    return buf;
}

/* Checks that `call` returned `want`, printing both names and the message if not. */
#define CHECK_STATUS(call, want)                                                           \
    do {                                                                                   \
        lc_status got_ = (call);                                                           \
        CHECK(got_ == (want), "%s gave %s, expected %s: %s", #call,                        \
              lc_status_name((uint32_t)got_), lc_status_name((uint32_t)(want)),            \
              last_error());                                                               \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, LC_OK)

/* An lc_str of a NUL-terminated literal or string. */
static inline lc_str S(const char *s) {
    lc_str r;
    r.ptr = s;
    r.len = s ? strlen(s) : 0;
    return r;
}

/* Whether an lc_str equals a NUL-terminated string. */
static inline int str_eq(lc_str a, const char *b) {
    size_t n = strlen(b);
    return a.ptr != NULL && a.len == n && memcmp(a.ptr, b, n) == 0;
}

static int check_report(const char *name) {
    long p = atomic_load(&check_passed), f = atomic_load(&check_failed);
    printf("%s: %ld passed, %ld failed\n", name, p, f);
    return f == 0 && p > 0 ? 0 : 1;
}

#endif
