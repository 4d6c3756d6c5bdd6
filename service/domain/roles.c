/**
 * @file roles.c
 * @brief Role names.
 */
#include "domain/roles.h"

#include <string.h>

const char *const role_names[] = {"agent", "supervisor", "manager", "cti", "admin",
                                  "operations", NULL};

unsigned role_parse(const char *name)
{
    for (int i = 0; role_names[i]; i++)
        if (name && strcmp(name, role_names[i]) == 0)
            return 1u << i;
    return 0;
}
