/*
 * password.c - password hashes as stored in users.password_hash, and the
 * random bytes behind salts and tokens.
 *
 * The stored form is 'pbkdf2-sha256$ITER$SALT_B64$HASH_B64': PBKDF2-HMAC-
 * SHA256 (sha256.c) with ITER iterations in decimal, a 16-byte salt from
 * getrandom() and a 32-byte derived key, both in standard base64 with '='
 * padding.  Verification reads the iteration count, salt and key length
 * from the stored string, so hashes made with an older iteration setting
 * keep working after the setting changes.
 *
 * Limits: iterations from STORE_MIN_ITERATIONS (a floor against mistakes)
 * to INT_MAX; salts and keys of 1..64 bytes when verifying.
 */
#include "store_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SALT_LEN 16
#define KEY_LEN  32
#define PREFIX   "pbkdf2-sha256$"

int store_random(void *buf, size_t n, struct err *e)
{
    unsigned char *p = buf;
    while (n > 0) {
        /* getrandom() returns at most 32 MiB per call and can be interrupted. */
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return err_set(e, "cannot read random bytes from the kernel (getrandom): %s",
                           strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t store_b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

int store_b64_decode(const char *in, size_t in_n, unsigned char *out, size_t cap)
{
    size_t o = 0;
    if (in_n == 0 || in_n % 4 != 0)
        return -1;
    for (size_t i = 0; i < in_n; i += 4) {
        int last = i + 4 == in_n;
        int pad = (in[i + 3] == '=') + (in[i + 2] == '=' && in[i + 3] == '=');
        if (pad && !last)
            return -1;
        uint32_t v = 0;
        for (int j = 0; j < 4 - pad; j++) {
            int d = b64_value(in[i + (size_t)j]);
            if (d < 0)
                return -1;
            v |= (uint32_t)d << (18 - 6 * j);
        }
        size_t bytes = 3 - (size_t)pad;
        if (o + bytes > cap)
            return -1;
        for (size_t j = 0; j < bytes; j++)
            out[o++] = (unsigned char)(v >> (16 - 8 * j));
    }
    return (int)o;
}

int store_password_hash(const char *password, int iterations, char out[STORE_HASH_MAX],
                        struct err *e)
{
    unsigned char salt[SALT_LEN], key[KEY_LEN];
    char salt64[4 * ((SALT_LEN + 2) / 3) + 1], key64[4 * ((KEY_LEN + 2) / 3) + 1];
    if (iterations < STORE_MIN_ITERATIONS)
        return err_set(e, "password hash iterations must be at least %d, not %d",
                       STORE_MIN_ITERATIONS, iterations);
    if (store_random(salt, sizeof salt, e) != 0)
        return -1;
    store_pbkdf2_sha256(password, strlen(password), salt, sizeof salt, (unsigned long)iterations,
                        key, sizeof key);
    store_b64_encode(salt, sizeof salt, salt64);
    store_b64_encode(key, sizeof key, key64);
    snprintf(out, STORE_HASH_MAX, PREFIX "%d$%s$%s", iterations, salt64, key64);
    explicit_bzero(key, sizeof key);
    return 0;
}

int store_password_verify(const char *password, const char *encoded, struct err *e)
{
    unsigned char salt[64], want[64], got[64];
    const char *p = encoded, *dollar;
    char *end;
    if (strncmp(p, PREFIX, strlen(PREFIX)) != 0)
        goto bad;
    p += strlen(PREFIX);
    if (*p < '1' || *p > '9')
        goto bad;
    errno = 0;
    long iter = strtol(p, &end, 10);
    if (errno || iter > INT_MAX || *end != '$')
        goto bad;
    p = end + 1;
    dollar = strchr(p, '$');
    if (!dollar)
        goto bad;
    int salt_n = store_b64_decode(p, (size_t)(dollar - p), salt, sizeof salt);
    int key_n = store_b64_decode(dollar + 1, strlen(dollar + 1), want, sizeof want);
    if (salt_n < 1 || key_n < 1)
        goto bad;
    store_pbkdf2_sha256(password, strlen(password), salt, (size_t)salt_n, (unsigned long)iter, got,
                        (size_t)key_n);
    /* Constant time: every byte is compared whatever the earlier ones were. */
    volatile unsigned char diff = 0;
    for (int i = 0; i < key_n; i++)
        diff |= (unsigned char)(got[i] ^ want[i]);
    explicit_bzero(got, sizeof got);
    return diff == 0;
bad:
    return err_set(e, "stored password hash is not in the form pbkdf2-sha256$ITER$SALT$HASH");
}
