/**
 * @file problem.h
 * @brief The registry of problem types (RFC 9457): one row per kind of failure.
 */
#ifndef HOTLINE_HTTP_PROBLEM_H
#define HOTLINE_HTTP_PROBLEM_H

enum problem {
    PROBLEM_VALIDATION,      /* 400 with errors[] */
    PROBLEM_MALFORMED_JSON,  /* 400 */
    PROBLEM_BAD_REQUEST,     /* 400: framing, URI, query */
    PROBLEM_UNAUTHORIZED,    /* 401 */
    PROBLEM_FORBIDDEN,       /* 403 */
    PROBLEM_NOT_FOUND,       /* 404 */
    PROBLEM_METHOD,          /* 405 */
    PROBLEM_CONFLICT,        /* 409 */
    PROBLEM_IDEMPOTENCY_KEY, /* 409: key reused with another request */
    PROBLEM_TRANSITION,      /* 409: a state change the rules forbid */
    PROBLEM_PRECONDITION,    /* 412 */
    PROBLEM_TOO_LARGE,       /* 413 */
    PROBLEM_MEDIA_TYPE,      /* 415 */
    PROBLEM_PRECONDITION_REQUIRED, /* 428 */
    PROBLEM_HEADERS_TOO_LARGE, /* 431 */
    PROBLEM_URI_TOO_LONG,    /* 414 */
    PROBLEM_NOT_ACCEPTABLE,  /* 406: no representation the Accept header takes */
    PROBLEM_INTERNAL,        /* 500 */
    PROBLEM_NOT_IMPLEMENTED, /* 501 */
    PROBLEM_UNAVAILABLE,     /* 503 */
    PROBLEM_COUNT
};

struct problem_type {
    int status;
    const char *slug; /* type URI is "urn:hotline:problem:" slug */
    const char *title;
};

/** The row of a problem. */
const struct problem_type *problem_get(enum problem p);

#define PROBLEM_URN_PREFIX "urn:hotline:problem:"

#endif
