/**
 * @file accept.h
 * @brief Content negotiation (RFC 9110 §12.5.1): which of the representations a route can
 *        send the client's Accept header prefers. Pure string work, no libmicrohttpd.
 */
#ifndef HOTLINE_HTTP_ACCEPT_H
#define HOTLINE_HTTP_ACCEPT_H

/**
 * Pick a media type for an Accept header.
 *
 * Each offered type gets the q of the most specific range that matches it (the exact type,
 * then "type/ *", then "* / *", written here with spaces; parameters other than q are ignored
 * and case does not matter); the highest q wins, ties go to the earlier offer, and q=0
 * refuses a type. A range with a malformed q is ignored.
 * @param accept the header, or NULL (no header: the first offer)
 * @param offered media types "type/subtype", most preferred first, NULL-terminated
 * @return the index of the chosen offer, or -1 when the header accepts none of them (406)
 */
int http_accept_pick(const char *accept, const char *const *offered);

#endif
