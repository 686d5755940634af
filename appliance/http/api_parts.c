/*
 * api_parts.c - (being written: issue 6).
 */
#include "http/internal.h"

const struct http_route http_routes_parts[] = {
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
