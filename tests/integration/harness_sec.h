/**
 * @file harness_sec.h
 * @brief Helpers of the security and fault suites: binary-safe requests, a fingerprint of the
 *        whole database, one token per role, the router table walked with real or hostile path
 *        parameters, and the request examples of the OpenAPI contract.
 */
#ifndef HOTLINE_TEST_HARNESS_SEC_H
#define HOTLINE_TEST_HARNESS_SEC_H

#include "harness.h"

#include "http/request.h"

/**
 * One request whose body may hold any bytes (NUL included).
 * @param content_type NULL: application/json when there is a body
 */
struct h_resp *hx_req(struct hs *s, const char *method, const char *path, const char *token,
                      const char *body, size_t body_len, const char *content_type,
                      const char *const *headers);

/** Free the calling thread's connection handle of hx_req (call before a thread ends). */
void hx_thread_done(void);

/**
 * A fingerprint of every table of the public schema: "name:rows:md5;..." over the rows' text,
 * in a stable order. Two equal fingerprints mean no row was added, removed or changed.
 * @return malloc'd text (caller frees)
 */
char *hx_db_fingerprint(void);

/** Print the first difference of two fingerprints (for a failure message) into out. */
void hx_fingerprint_diff(const char *a, const char *b, char *out, size_t n);

/** The role bit's name ("agent"), or "?". */
const char *hx_role_name(unsigned bit);

/** A token of that role (created once per process, named "<prefix>-<role>"). */
const char *hx_role_token(unsigned bit);

/** The most privileged role a route accepts (admin first), or 0 for open routes. */
unsigned hx_route_role(const struct route *r);

/**
 * Fill a route pattern's {name} segments: with value when not NULL (already URL-encoded),
 * otherwise with hx_param_default(name).
 */
void hx_path(const char *pattern, const char *value, char *out, size_t n);

/** Set the value used for {name} when hx_path is given none (e.g. "id" -> a real ticket). */
void hx_param_set(const char *name, const char *value);

/**
 * The contract's request example of each operation, keyed "METHOD /path" (from
 * openapi/openapi.yaml). A new reference owned by the caller; an empty object when the
 * contract cannot be read.
 */
json_t *hx_openapi_samples(void);

/** One problem+json check that does not abort: returns a static message, or NULL when ok. */
const char *hx_problem_shape(const struct h_resp *r);

/** True when a 400 response's errors[] names field. */
bool hx_errors_name(const struct h_resp *r, const char *field);

#endif
