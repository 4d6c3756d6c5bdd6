/**
 * @file problem.c
 * @brief Problem type table.
 */
#include "http/problem.h"

static const struct problem_type table[PROBLEM_COUNT] = {
    [PROBLEM_VALIDATION] = {400, "validation", "The request has invalid fields"},
    [PROBLEM_MALFORMED_JSON] = {400, "malformed-json", "The body is not valid JSON"},
    [PROBLEM_BAD_REQUEST] = {400, "bad-request", "The request is malformed"},
    [PROBLEM_UNAUTHORIZED] = {401, "unauthorized", "A valid bearer token is required"},
    [PROBLEM_FORBIDDEN] = {403, "forbidden", "This token's role may not do this"},
    [PROBLEM_NOT_FOUND] = {404, "not-found", "Not found"},
    [PROBLEM_METHOD] = {405, "method-not-allowed", "Method not allowed"},
    [PROBLEM_CONFLICT] = {409, "conflict", "The request conflicts with the current state"},
    [PROBLEM_IDEMPOTENCY_KEY] = {409, "idempotency-key-reused",
                                 "The Idempotency-Key was used for a different request"},
    [PROBLEM_TRANSITION] = {409, "transition-not-allowed", "This change is not allowed now"},
    [PROBLEM_PRECONDITION] = {412, "precondition-failed",
                              "The resource changed since you read it"},
    [PROBLEM_TOO_LARGE] = {413, "body-too-large", "The request body is too large"},
    [PROBLEM_MEDIA_TYPE] = {415, "unsupported-media-type", "The body must be application/json"},
    [PROBLEM_PRECONDITION_REQUIRED] = {428, "precondition-required", "If-Match is required"},
    [PROBLEM_HEADERS_TOO_LARGE] = {431, "headers-too-large", "Too many or too large headers"},
    [PROBLEM_URI_TOO_LONG] = {414, "uri-too-long", "The request target is too long"},
    [PROBLEM_NOT_ACCEPTABLE] = {406, "not-acceptable",
                                "None of the media types in Accept can be sent"},
    [PROBLEM_INTERNAL] = {500, "internal", "Internal error"},
    [PROBLEM_NOT_IMPLEMENTED] = {501, "not-implemented", "Not implemented"},
    [PROBLEM_UNAVAILABLE] = {503, "unavailable", "The service is temporarily unavailable"},
};

const struct problem_type *problem_get(enum problem p)
{
    return &table[p < PROBLEM_COUNT ? p : PROBLEM_INTERNAL];
}
