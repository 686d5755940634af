/*
 * gen_fixtures.c - writes the files that test_embed.c embeds into DIR.
 *
 * Their contents are chosen so the test can check them from first
 * principles: FIPS 180-4 SHA-256 test vectors (for the ETags), every byte
 * value (for the escaping), C trigraphs, an empty file, a megabyte that
 * compresses well, a nested path, and two files with equal content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int put(const char *dir, const char *name, const void *data, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "gen_fixtures: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_fixtures DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(dir, 0755);
    mkdir(sub, 0755);

    static unsigned char bytes[1024];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i % 256);
    size_t mega = 1000000;
    char *a = malloc(mega);
    if (!a)
        return 1;
    memset(a, 'a', mega);
    const char *v448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const char *v896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    /* the nine trigraphs, spelled with \? so this compiler leaves them alone */
    const char *tri = "\?\?=\?\?/\?\?'\?\?(\?\?)\?\?!\?\?<\?\?>\?\?-\"\\\?\n";
    int rc = put(dir, "abc.txt", "abc", 3) | put(dir, "empty", "", 0) |
             put(dir, "bytes.bin", bytes, sizeof bytes) | put(dir, "million-a.txt", a, mega) |
             put(dir, "v448.txt", v448, strlen(v448)) | put(dir, "v896.txt", v896, strlen(v896)) |
             put(dir, "trigraphs.js", tri, strlen(tri)) | put(sub, "abc-copy.txt", "abc", 3) |
             put(dir, "Z-upper.css", "Z", 1);
    free(a);
    return rc ? 1 : 0;
}
