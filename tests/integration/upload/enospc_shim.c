/*
 * enospc_shim.c - LD_PRELOAD library for test_upload.py's disk-full case:
 * write() fails with ENOSPC on files whose path starts with the folder in
 * DXFQ_TEST_ENOSPC_DIR (the data folder's tmp/ and files/), as on a full
 * disk; every other write() goes through.  Built by CMakeLists.txt beside
 * it; never part of the appliance.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dlsym's RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n);

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    const char *dir = getenv("DXFQ_TEST_ENOSPC_DIR");
    if (dir && *dir && fd > 2) {
        char link[64], path[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, path, sizeof path - 1);
        if (k > 0) {
            path[k] = '\0';
            if (!strncmp(path, dir, strlen(dir))) {
                errno = ENOSPC;
                return -1;
            }
        }
    }
    return real(fd, buf, n);
}
