/*
 * enospc_shim.c - LD_PRELOAD library for test_upload.py's file-system
 * cases: write() fails with ENOSPC on files whose path starts with the
 * folder in DXFQ_TEST_ENOSPC_DIR, as on a full disk; link() fails with
 * EPERM when DXFQ_TEST_NOLINK is set, as on a file system without hard
 * links.  Everything else goes through.  Built by CMakeLists.txt beside
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
int link(const char *from, const char *to);

int link(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real)
        real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "link");
    if (getenv("DXFQ_TEST_NOLINK")) {
        errno = EPERM;
        return -1;
    }
    return real(from, to);
}

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
