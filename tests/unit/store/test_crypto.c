/*
 * test_crypto.c - SHA-256 against FIPS 180-4 / RFC 6234 examples, HMAC-
 * SHA256 against RFC 4231, base64 against RFC 4648, and the stored
 * password hash format (yescrypt through libxcrypt).
 */
#include "store_internal.h"
#include "test.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static const char *sha_hex(const void *data, size_t n)
{
    static char buf[65];
    unsigned char d[32];
    store_sha256(data, n, d);
    hex(d, 32, buf);
    return buf;
}

static const char *hmac_hex(const void *k, size_t kn, const void *m, size_t mn, size_t outn)
{
    static char buf[65];
    unsigned char d[32];
    store_hmac_sha256(k, kn, m, mn, d);
    hex(d, outn, buf);
    return buf;
}

TEST(sha256_fips_examples)
{
    CHECK_STR(sha_hex("abc", 3),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_STR(sha_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK_STR(sha_hex(m448, strlen(m448)),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK_STR(sha_hex(m896, strlen(m896)),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(sha256_million_a_in_odd_pieces)
{
    /* One million 'a', fed in pieces of 1..97 bytes so that every buffer
     * boundary case of update() is crossed. */
    static unsigned char a[1000];
    memset(a, 'a', sizeof a);
    struct store_sha256 c;
    store_sha256_init(&c);
    size_t left = 1000000, piece = 1;
    while (left) {
        size_t n = piece < left ? piece : left;
        store_sha256_update(&c, a, n);
        left -= n;
        piece = piece % 97 + 1;
    }
    unsigned char d[32];
    char out[65];
    store_sha256_final(&c, d);
    hex(d, 32, out);
    CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_padding_edges)
{
    /* 55, 56 and 64 bytes: the length fits, just does not fit, and a full
     * block before padding.  Streaming must agree with one call. */
    unsigned char m[130];
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (unsigned char)(i * 7 + 1);
    size_t lens[] = {55, 56, 63, 64, 65, 119, 120, 128};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        unsigned char one[32], two[32];
        store_sha256(m, lens[k], one);
        struct store_sha256 c;
        store_sha256_init(&c);
        store_sha256_update(&c, m, lens[k] / 2);
        store_sha256_update(&c, m + lens[k] / 2, lens[k] - lens[k] / 2);
        store_sha256_final(&c, two);
        CHECK(memcmp(one, two, 32) == 0);
    }
}

TEST(hmac_rfc4231)
{
    unsigned char k[131];
    unsigned char d[50];
    memset(k, 0x0b, 20);
    CHECK_STR(hmac_hex(k, 20, "Hi There", 8, 32),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK_STR(hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, 32),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(k, 0xaa, 20);
    memset(d, 0xdd, 50);
    CHECK_STR(hmac_hex(k, 20, d, 50, 32),
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    for (int i = 0; i < 25; i++)
        k[i] = (unsigned char)(i + 1);
    memset(d, 0xcd, 50);
    CHECK_STR(hmac_hex(k, 25, d, 50, 32),
              "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    memset(k, 0x0c, 20);
    CHECK_STR(hmac_hex(k, 20, "Test With Truncation", 20, 16), "a3b6167473100ee06e0c796c2955552b");
    memset(k, 0xaa, 131);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    CHECK_STR(hmac_hex(k, 131, m6, strlen(m6), 32),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *m7 = "This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the "
                     "HMAC algorithm.";
    CHECK_STR(hmac_hex(k, 131, m7, strlen(m7), 32),
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(base64_rfc4648)
{
    const char *in[] = {"f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *out[] = {"Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 6; i++) {
        char enc[16];
        unsigned char dec[16];
        CHECK(store_b64_encode((const unsigned char *)in[i], strlen(in[i]), enc) == strlen(out[i]));
        CHECK_STR(enc, out[i]);
        int n = store_b64_decode(out[i], strlen(out[i]), dec, sizeof dec);
        CHECK(n == (int)strlen(in[i]));
        CHECK(n > 0 && memcmp(dec, in[i], (size_t)n) == 0);
    }
    unsigned char dec[16];
    CHECK(store_b64_decode("Zm9", 3, dec, sizeof dec) == -1);      /* not a multiple of 4 */
    CHECK(store_b64_decode("Zm=v", 4, dec, sizeof dec) == -1);     /* '=' in the middle */
    CHECK(store_b64_decode("Zg==Zg==", 8, dec, sizeof dec) == -1); /* padding not at the end */
    CHECK(store_b64_decode("Zm9*", 4, dec, sizeof dec) == -1);     /* not in the alphabet */
    CHECK(store_b64_decode("Zm9vYmFy", 8, dec, 5) == -1);          /* over the cap */
}

TEST(password_verify_known_hashes)
{
    /* "password" under the settings libxcrypt's crypt_gensalt_rn("$y$")
     * makes for cost 1 and 5 from the salt bytes "0123456789abcdef": the
     * form /etc/shadow stores, so hashes stay portable. */
    struct err e;
    const char *h1 = "$y$j75$k2XAnEHBqQ1Ct2aMXFKNa/$m4lwJ4nFEuCl0FFCrU4dJtyuhT0Ai2jNWLnkYlySGEB";
    const char *h5 = "$y$j9T$k2XAnEHBqQ1Ct2aMXFKNa/$OVYXzjlkiQpWT/F1CUE0JrvV4phLY8FB.ofDttnrSQ7";
    char setting[STORE_HASH_MAX];
    const unsigned char salt[16] = "0123456789abcdef";
    CHECK(store_password_setting(1, salt, setting, &e) == 0);
    CHECK_STR(setting, "$y$j75$k2XAnEHBqQ1Ct2aMXFKNa/");
    CHECK(store_password_verify("password", h1, &e) == 1);
    CHECK(store_password_verify("password", h5, &e) == 1);
    CHECK(store_password_verify("Password", h5, &e) == 0);
    CHECK(store_password_verify("password", h5 + 1, &e) == -1);
    CHECK(strstr(e.msg, "not a yescrypt hash") != NULL);
    CHECK(store_password_verify("password", "pbkdf2-sha256$1$c2FsdA==$Eg+2", &e) == -1);
    CHECK(store_password_verify("password", "$y$j75$", &e) == -1);
    CHECK(store_password_verify("password", "", &e) == -1);
    CHECK(store_password_setting(0, salt, setting, &e) == -1);
    CHECK(strstr(e.msg, "from 1 to 11") != NULL);
    CHECK(store_password_setting(12, salt, setting, &e) == -1);
}

TEST(password_hash_round_trip)
{
    struct err e;
    char h1[STORE_HASH_MAX], h2[STORE_HASH_MAX];
    CHECK(store_password_hash("correct horse", 1, h1, &e) == 0);
    CHECK(store_password_hash("correct horse", 1, h2, &e) == 0);
    /* Form: $y$, parameters, salt from 16 bytes (22 chars), hash (43). */
    CHECK(strncmp(h1, "$y$j75$", 7) == 0);
    CHECK(strlen(h1) == 7 + 22 + 1 + 43);
    CHECK(strcmp(h1, h2) != 0); /* fresh salt each time */
    CHECK(store_password_verify("correct horse", h1, &e) == 1);
    CHECK(store_password_verify("correct horse", h2, &e) == 1);
    CHECK(store_password_verify("correct hors", h1, &e) == 0);
    CHECK(store_password_hash("x", 0, h1, &e) == -1);
}

TEST(random_bytes_differ)
{
    unsigned char a[32], b[32];
    struct err e;
    CHECK(store_random(a, sizeof a, &e) == 0);
    CHECK(store_random(b, sizeof b, &e) == 0);
    CHECK(memcmp(a, b, sizeof a) != 0);
}

int main(void)
{
    RUN(sha256_fips_examples);
    RUN(sha256_million_a_in_odd_pieces);
    RUN(sha256_padding_edges);
    RUN(hmac_rfc4231);
    RUN(base64_rfc4648);
    RUN(password_verify_known_hashes);
    RUN(password_hash_round_trip);
    RUN(random_bytes_differ);
    return test_report();
}
