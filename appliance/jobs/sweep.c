/*
 * sweep.c - what the job system clears at start, before any upload or job
 * can write: DATA/tmp (files being written when the last run stopped) and
 * the stored drawings in DATA/files that no part uses.
 */
#include "jobs_int.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* 1 when name is <64 hex digits>.dxf.gz, the name of a stored drawing. */
static int stored_name(const char *name)
{
    size_t i = 0;
    for (; i < 64; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return 0;
    return !strcmp(name + i, ".dxf.gz");
}

/* Removes the stored drawings no part uses: what an upload left when the
 * process died between keeping its files and adding its parts (or when
 * its jobs were refused).  At start nothing else writes DATA/files, so a
 * file unused now stays unused.  Files of other names are not touched. */
void jobs_sweep_files(struct store *s, const char *data_dir)
{
    char path[4096];
    struct err e = {""};
    snprintf(path, sizeof path, "%s/files", data_dir);
    DIR *d = opendir(path);
    if (!d)
        return;
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (!stored_name(de->d_name))
            continue;
        char rel[6 + 256]; /* "files/" and a name of 71 bytes (stored_name) */
        snprintf(rel, sizeof rel, "files/%s", de->d_name);
        int used = store_file_used(s, rel, &e);
        if (used < 0) {
            log_warn("cannot check stored drawings", "error=%s", e.msg);
            break;
        }
        if (!used) {
            char f[4096 + 256];
            snprintf(f, sizeof f, "%s/%s", path, de->d_name);
            n += unlink(f) == 0;
        }
    }
    closedir(d);
    if (n)
        log_info("unused stored drawings removed", "dir=%s files=%d", path, n);
}

/* Removes what a previous run left in DATA/tmp (uploads and previews
 * being written when it stopped). */
void jobs_sweep_tmp(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tmp", dir);
    DIR *d = opendir(path);
    if (!d)
        return;
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
            continue;
        char f[4096 + 256];
        snprintf(f, sizeof f, "%s/%s", path, de->d_name);
        n += unlink(f) == 0;
    }
    closedir(d);
    if (n)
        log_info("temporary files removed", "dir=%s files=%d", path, n);
}
