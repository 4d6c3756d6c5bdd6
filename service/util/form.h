/**
 * @file form.h
 * @brief application/x-www-form-urlencoded bodies decoded into a JSON object, so handlers of
 *        routes that also take forms (PBX webhooks) see one shape.
 */
#ifndef HOTLINE_UTIL_FORM_H
#define HOTLINE_UTIL_FORM_H

#include <jansson.h>
#include <stddef.h>

#define FORM_MAX_FIELDS 64

/**
 * Decode a form body: each name=value pair becomes a string member; names ending in "[]"
 * collect their values in an array under that name ("user[]": ["a", "b"]). '+' is a space.
 * @return a new object (caller decrefs), or NULL with a message in err for a bad %-escape,
 *         %00, invalid UTF-8, an empty name, a name given twice, or more than FORM_MAX_FIELDS
 *         pairs
 */
json_t *form_decode(const char *body, size_t len, char *err, size_t errlen);

#endif
