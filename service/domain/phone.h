/**
 * @file phone.h
 * @brief Phone numbers: one normal form for search, and a masked form for logs.
 *
 * Normal form: the digits of the international number, country code first, no '+'.
 * Rules (documented in README "Phone numbers"):
 *  1. Separators " -.()/" are dropped; any other non-digit (except a leading '+') is invalid.
 *  2. "+CC…" or "00CC…" is international: the digits after '+' / "00".
 *  3. A leading trunk '0' ("010 1234 5678") is national: default country code + the rest.
 *  4. Digits starting with the default country code and longer than a national number
 *     (more than PHONE_MAX_NATIONAL digits) are already international.
 *  5. Anything else is national: default country code + digits.
 * The number as given must have at least 3 digits; the result at most 15 (E.164).
 */
#ifndef HOTLINE_DOMAIN_PHONE_H
#define HOTLINE_DOMAIN_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#define PHONE_MAX_NATIONAL 11
#define PHONE_NORMAL_MAX 16 /* 15 digits + NUL */

/**
 * Normalise a phone number as given by a caller, agent or PBX.
 * @param country_code default country code digits, e.g. "86"
 * @param[out] out PHONE_NORMAL_MAX bytes
 * @return true when the input is a phone number; false otherwise (out undefined).
 */
bool phone_normalize(const char *in, const char *country_code, char out[PHONE_NORMAL_MAX]);

/**
 * Mask a phone number for logs: keeps the first 3 and last 4 digits of long numbers,
 * the last 2 of short ones; every other digit becomes '*'. Non-digits are kept.
 */
void phone_mask(const char *in, char *out, size_t outlen);

/** Mask a person's name for logs: the first character (UTF-8 aware) then '*'. */
void name_mask(const char *in, char *out, size_t outlen);

#endif
