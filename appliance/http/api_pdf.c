/*
 * api_pdf.c - (being written: issue 6) GET /api/quotes/{id}/pdf.
 */
#include "http/internal.h"

const struct http_route http_routes_pdf[] = {
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
