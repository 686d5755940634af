/*
 * api_upload.c - (being written: issue 6) POST /api/quotes/{id}/parts.
 */
#include "http/internal.h"

const struct http_route http_routes_upload[] = {
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
