#ifndef RUDDER_CCURL_SHIM_H
#define RUDDER_CCURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

// Swift cannot call C variadic functions, and curl_easy_setopt/curl_easy_getinfo are variadic:
// these wrappers fix the type of the third argument, one wrapper per kind of option.

static inline long rudder_curl_global_all(void) { return CURL_GLOBAL_ALL; }

static inline CURLcode rudder_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode rudder_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode rudder_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode rudder_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode rudder_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Passes bytes (a PEM blob); libcurl keeps its own copy, so the caller's buffer may go away.
static inline CURLcode rudder_curl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(handle, option, &blob);
}

typedef size_t (*rudder_curl_write_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*rudder_curl_xferinfo_callback)(
    void *context, curl_off_t downloadTotal, curl_off_t downloaded, curl_off_t uploadTotal, curl_off_t uploaded);

static inline CURLcode rudder_curl_setopt_write_function(CURL *handle, rudder_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode rudder_curl_setopt_xferinfo_function(CURL *handle, rudder_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode rudder_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// The result code of a finished transfer from a CURLMSG_DONE message (a union member in C).
static inline CURLcode rudder_curl_message_result(const CURLMsg *message) { return message->data.result; }

#endif
