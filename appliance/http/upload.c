/*
 * upload.c - (being written: issue 6) see upload.h.
 */
#include <stdlib.h>
#include <string.h>

#include "http/upload.h"

int http_upload_read(struct http_req *r, const char *file_field, struct http_upload *out)
{
    (void)file_field;
    memset(out, 0, sizeof *out);
    return http_reply_error(r, 501, NULL, NULL, NULL, "uploads are not implemented yet");
}

const char *http_upload_field_get(const struct http_upload *u, const char *name)
{
    for (size_t i = 0; i < u->nfields; i++)
        if (!strcmp(u->fields[i].name, name))
            return u->fields[i].value;
    return NULL;
}

void http_upload_free(struct http_upload *u)
{
    for (size_t i = 0; i < u->nfiles; i++)
        free(u->files[i].name);
    for (size_t i = 0; i < u->nfields; i++) {
        free(u->fields[i].name);
        free(u->fields[i].value);
    }
    free(u->files);
    free(u->fields);
    memset(u, 0, sizeof *u);
}
