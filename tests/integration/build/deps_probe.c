/*
 * deps_probe.c - links every third-party library the way build/dxfquote
 * does and calls each once, so a broken dependency build shows up here and
 * not first in a module: CivetWeb (its compiled-in features), libharu (a PDF
 * with a PNG image, which needs its PNG and zlib support), cJSON, SQLite,
 * Lua 5.4, libpng, zlib and stb_image_write.  Linked statically unless
 * DXFQ_SYSTEM_LIBS; build_checks.sh then inspects this binary with ldd.
 */
#include "test.h"

#include <stdlib.h>

#include "cJSON.h"
#include "civetweb.h"
#include "hpdf.h"
#include "lauxlib.h"
#include "lualib.h"
#include "png.h"
#include "sqlite3.h"
#include "zlib.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "stb_image_write.h"

struct buf {
    unsigned char data[4096];
    size_t len;
    int overflow;
};

static void buf_write(void *ctx, void *data, int size)
{
    struct buf *b = ctx;
    size_t n = (size_t)size;
    if (b->len + n > sizeof b->data) {
        b->overflow = 1;
        return;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

TEST(civetweb_features)
{
    CHECK(mg_version() != NULL);
#ifdef DXFQ_STATIC_DEPS
    /* our build: no file serving, CGI, IPv6 or websockets */
    CHECK(mg_check_feature(MG_FEATURES_FILES) == 0);
    CHECK(mg_check_feature(MG_FEATURES_CGI) == 0);
    CHECK(mg_check_feature(MG_FEATURES_IPV6) == 0);
    CHECK(mg_check_feature(MG_FEATURES_WEBSOCKET) == 0);
    CHECK(mg_check_feature(MG_FEATURES_TLS) == (DXFQ_TLS_ON ? MG_FEATURES_TLS : 0u));
    /* with TLS this initialises the linked-in OpenSSL: no dlopen() */
    unsigned want = DXFQ_TLS_ON ? MG_FEATURES_TLS : 0u;
#else
    /* Debian's libcivetweb dlopen()s libssl.so and looks up OpenSSL 1.1
     * names (SSL_get_peer_certificate) that OpenSSL 3 only has as macros:
     * its TLS cannot start, so ask for none */
    unsigned want = 0;
#endif
    CHECK((mg_init_library(want) & want) == want);
    CHECK(mg_exit_library() == 1);
}

static void hpdf_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
    (void)detail;
    *(HPDF_STATUS *)user = code;
}

TEST(hpdf_pdf_with_png)
{
    /* a 2x2 RGB image: red, green / blue, white */
    const unsigned char px[] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
    struct buf png = {{0}, 0, 0};
    CHECK(stbi_write_png_to_func(buf_write, &png, 2, 2, 3, px, 6) == 1 && !png.overflow);
    CHECK(png.len > 8 && memcmp(png.data, "\x89PNG\r\n\x1a\n", 8) == 0);

    HPDF_STATUS status = HPDF_OK;
    HPDF_Doc pdf = HPDF_New(hpdf_error, &status);
    CHECK(pdf != NULL);
    if (!pdf)
        return;
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    HPDF_Page page = HPDF_AddPage(pdf);
    HPDF_Image img = HPDF_LoadPngImageFromMem(pdf, png.data, (HPDF_UINT)png.len);
    CHECK(img != NULL);
    if (img) {
        CHECK(HPDF_Image_GetWidth(img) == 2 && HPDF_Image_GetHeight(img) == 2);
        HPDF_Page_DrawImage(page, img, 100, 100, 20, 20);
    }
    CHECK(HPDF_SaveToStream(pdf) == HPDF_OK);
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
    unsigned char head[8] = {0};
    HPDF_UINT32 n = sizeof head;
    CHECK(size > 100);
    CHECK(HPDF_ReadFromStream(pdf, head, &n) == HPDF_OK && n == sizeof head);
    CHECK(memcmp(head, "%PDF-1.", 7) == 0);
    CHECK(status == HPDF_OK);
    HPDF_Free(pdf);
}

TEST(cjson_round_trip)
{
    cJSON *j = cJSON_Parse("{ \"a\" : [1, 2.5, \"x\"], \"b\": null }");
    CHECK(j != NULL);
    char *s = cJSON_PrintUnformatted(j);
    CHECK_STR(s, "{\"a\":[1,2.5,\"x\"],\"b\":null}");
    free(s);
    cJSON_Delete(j);
    CHECK(cJSON_Parse("{\"a\":") == NULL);
}

TEST(sqlite_query)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_threadsafe() != 0);
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, "SELECT 6 * 7", -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 42);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST(lua_chunk)
{
    lua_State *L = luaL_newstate();
    CHECK(L != NULL);
    if (!L)
        return;
    CHECK(luaL_dostring(L, "return 6 * 7") == LUA_OK);
    CHECK(lua_tointeger(L, -1) == 42);
    CHECK(LUA_VERSION_NUM == 504);
    lua_close(L);
}

TEST(png_and_zlib)
{
    CHECK(png_access_version_number() == PNG_LIBPNG_VER);
    const unsigned char text[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    unsigned char z[128], back[sizeof text];
    uLongf zl = sizeof z, bl = sizeof back;
    CHECK(compress2(z, &zl, text, sizeof text, 9) == Z_OK && zl < sizeof text);
    CHECK(uncompress(back, &bl, z, zl) == Z_OK && bl == sizeof text);
    CHECK(memcmp(back, text, sizeof text) == 0);
}

int main(void)
{
    RUN(civetweb_features);
    RUN(hpdf_pdf_with_png);
    RUN(cjson_round_trip);
    RUN(sqlite_query);
    RUN(lua_chunk);
    RUN(png_and_zlib);
    return test_report();
}
