/*
 * password.c - password hashes as stored in users.password_hash, and the
 * random bytes behind salts and tokens.
 *
 * Hashes are yescrypt, through libxcrypt's crypt_rn() (the maintained
 * library behind /etc/shadow on Debian), in the usual modular form
 * '$y$PARAMS$SALT$HASH'.  The cost (1..11, libxcrypt's default 5) sets the
 * time and memory per hash; verification reads the parameters from the
 * stored string, so hashes made with an older cost keep working after the
 * setting changes.  Salts come from getrandom().
 */
#include "store_internal.h"

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SALT_LEN 16
#define PREFIX   "$y$"

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

int store_password_setting(int cost, const unsigned char salt[16], char out[STORE_HASH_MAX],
                           struct err *e)
{
    if (cost < STORE_MIN_COST || cost > STORE_MAX_COST)
        return err_set(e, "password hash cost must be from %d to %d, not %d", STORE_MIN_COST,
                       STORE_MAX_COST, cost);
    if (!crypt_gensalt_rn(PREFIX, (unsigned long)cost, (const char *)salt, SALT_LEN, out,
                          STORE_HASH_MAX))
        return err_set(e, "cannot make a yescrypt salt (cost %d): %s", cost, strerror(errno));
    return 0;
}

/* Every hash computed and the parameters of the last: the tests' way to see
 * that a login for an unknown name costs what a real one does, without
 * timing anything. */
static pthread_mutex_t runs_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long runs;
static char last_params[16];

unsigned long store_password_runs(char params[16])
{
    pthread_mutex_lock(&runs_mu);
    unsigned long n = runs;
    memcpy(params, last_params, sizeof last_params);
    pthread_mutex_unlock(&runs_mu);
    return n;
}

/* crypt_rn into out; its work area is 32 KiB, too big for a thread's stack. */
static int yescrypt(const char *password, const char *setting, char out[STORE_HASH_MAX])
{
    /* "$y$j9T$salt...": the parameter field sets the cost. */
    const char *p = setting + strlen(PREFIX), *end = strchr(p, '$');
    pthread_mutex_lock(&runs_mu);
    runs++;
    snprintf(last_params, sizeof last_params, "%.*s", end ? (int)(end - p) : 0, p);
    pthread_mutex_unlock(&runs_mu);

    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    const char *h = crypt_rn(password, setting, cd, (int)sizeof *cd);
    int ok = h && h[0] == '$' && strlen(h) < STORE_HASH_MAX;
    if (ok)
        memcpy(out, h, strlen(h) + 1);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return ok ? 0 : -1;
}

int store_password_hash(const char *password, int cost, char out[STORE_HASH_MAX], struct err *e)
{
    unsigned char salt[SALT_LEN];
    char setting[STORE_HASH_MAX];
    if (store_random(salt, sizeof salt, e) != 0 ||
        store_password_setting(cost, salt, setting, e) != 0)
        return -1;
    if (yescrypt(password, setting, out) != 0)
        return err_set(e, "cannot hash the password with yescrypt: %s", strerror(errno));
    return 0;
}

int store_password_verify(const char *password, const char *encoded, struct err *e)
{
    char got[STORE_HASH_MAX];
    size_t n = strlen(encoded);
    if (strncmp(encoded, PREFIX, strlen(PREFIX)) != 0 || n >= STORE_HASH_MAX ||
        yescrypt(password, encoded, got) != 0 || strlen(got) != n)
        return err_set(e, "stored password hash is not a yescrypt hash ($y$PARAMS$SALT$HASH)");
    /* Constant time: every byte is compared whatever the earlier ones were. */
    volatile unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(got[i] ^ encoded[i]);
    explicit_bzero(got, sizeof got);
    return diff == 0;
}
