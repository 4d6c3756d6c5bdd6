/**
 * @file roles.h
 * @brief Token roles as bits, so a route's permission is one mask.
 */
#ifndef HOTLINE_DOMAIN_ROLES_H
#define HOTLINE_DOMAIN_ROLES_H

enum role {
    ROLE_AGENT = 1u << 0,
    ROLE_SUPERVISOR = 1u << 1,
    ROLE_MANAGER = 1u << 2,
    ROLE_CTI = 1u << 3,
    ROLE_ADMIN = 1u << 4,
    ROLE_OPERATIONS = 1u << 5,
};

#define ROLE_OPEN 0u /* no token needed */
#define ROLES_STAFF (ROLE_AGENT | ROLE_SUPERVISOR | ROLE_MANAGER | ROLE_ADMIN)
#define ROLES_SUPERVISING (ROLE_SUPERVISOR | ROLE_MANAGER | ROLE_ADMIN)
#define ROLE_COUNT 6

/** Names in bit order: agent, supervisor, manager, cti, admin, operations. */
extern const char *const role_names[];

/** The bit of a role name, or 0 when unknown. */
unsigned role_parse(const char *name);

#endif
