#ifndef RUDDER_CIPSET_SHIM_H
#define RUDDER_CIPSET_SHIM_H

#include <libipset/ipset.h>
#include <libipset/data.h>
#include <libipset/parse.h>
#include <libipset/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * libipset reports output and errors through printf-style variadic callbacks, which Swift
 * cannot implement. These trampolines format into a buffer that Swift reads back: the
 * whole printed output of one command, and the first error it reported. Swift owns the
 * buffers (free() them) and resets the fields between commands.
 */
typedef struct rudder_ipset_capture {
    char *output;          /* what libipset printed, NUL-terminated; NULL until the first print */
    size_t output_length;  /* bytes in output, without the NUL */
    size_t output_capacity;
    char *error;           /* the first error message (malloc'd), or NULL */
} rudder_ipset_capture;

/* Keeps the first error only: libipset may report one failure twice (parser, then command). */
static inline void rudder_ipset_capture_error(rudder_ipset_capture *capture, const char *format, va_list args) {
    if (capture->error != NULL) return;
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (length < 0) return;
    capture->error = malloc((size_t)length + 1);
    if (capture->error != NULL) vsnprintf(capture->error, (size_t)length + 1, format, args);
}

static inline int rudder_ipset_print(struct ipset_session *session, void *p, const char *format, ...) {
    (void)session;
    rudder_ipset_capture *capture = p;
    va_list args;
    va_start(args, format);
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (length < 0) {
        va_end(args);
        return -1;
    }
    size_t needed = capture->output_length + (size_t)length + 1;
    if (needed > capture->output_capacity) {
        size_t capacity = capture->output_capacity < 16384 ? 16384 : capture->output_capacity;
        while (capacity < needed) capacity *= 2;
        char *grown = realloc(capture->output, capacity);
        if (grown == NULL) {
            va_end(args);
            return -1;
        }
        capture->output = grown;
        capture->output_capacity = capacity;
    }
    vsnprintf(capture->output + capture->output_length, (size_t)length + 1, format, args);
    capture->output_length += (size_t)length;
    va_end(args);
    return length;
}

/* Replaces libipset's default, which prints to stderr and exit()s the process. */
static inline int rudder_ipset_custom_error(struct ipset *ipset, void *p, int status, const char *message, ...) {
    (void)ipset;
    if (status == IPSET_NO_PROBLEM || message == NULL) return 0;
    va_list args;
    va_start(args, message);
    rudder_ipset_capture_error(p, message, args);
    va_end(args);
    return -1;
}

/* Errors that libipset keeps in the session report (kernel refusals, syntax errors). */
static inline int rudder_ipset_standard_error(struct ipset *ipset, void *p) {
    struct ipset_session *session = ipset_session(ipset);
    if (ipset_session_report_type(session) == IPSET_ERROR) {
        rudder_ipset_capture *capture = p;
        const char *report = ipset_session_report_msg(session);
        if (capture->error == NULL && report != NULL) capture->error = strdup(report);
    }
    ipset_session_report_reset(session);
    return -1;
}

/* Routes a handle's output and errors into `capture`, which must outlive the handle. */
static inline int rudder_ipset_capture_install(struct ipset *ipset, rudder_ipset_capture *capture) {
    return ipset_custom_printf(
        ipset, rudder_ipset_custom_error, rudder_ipset_standard_error, rudder_ipset_print, capture);
}

/* Swift does not see struct ipset_type reliably (it ends in a flexible array member). */
static inline const char *rudder_ipset_type_name(const struct ipset_type *type) { return type->name; }

static inline bool rudder_ipset_type_last_elem_optional(const struct ipset_type *type) {
    return type->last_elem_optional;
}

#endif
