/*
 * cfg.c - appliance.ini: defaults, file, environment, flags.
 *
 * The file is INI: "[section]" lines, "key = value" lines, and whole-line
 * comments starting with '#' or ';'.  A value runs to the end of the line
 * (so '#' may appear in an address); surrounding blanks are dropped, and a
 * value wrapped in double quotes keeps its blanks.  Everything is checked
 * against the key table in cfg_keys.h: unknown sections and keys, values of
 * the wrong type or out of range, and a key given twice are errors that name
 * the file, the line, the key and what is allowed.  The file is at most
 * 1 MiB; a value at most CFG_VALUE_MAX bytes.
 *
 * Precedence, lowest first: built-in default, file, DXFQUOTE_<SECTION>_<KEY>
 * environment variable, command-line flag (cfg_set).
 */
#include "core.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CFG_FILE_MAX (1 << 20)
#define CFG_VALUE_MAX 1024
#define CFG_DEFAULT_FILE "appliance.ini"

static const struct cfg_key keys[CFG_COUNT] = {
#define CFG_KEY(id, sec, nm, ty, def, mn, mx, ch, hp) [id] = {sec, nm, ty, def, mn, mx, ch, hp},
#include "cfg_keys.h"
#undef CFG_KEY
};

struct cfg_val {
    long long i;
    double r;
    char *s;
    char origin[80];
};

struct cfg {
    struct cfg_val v[CFG_COUNT];
};

const struct cfg_key *cfg_table(void)
{
    return keys;
}

static const char *type_words(const struct cfg_key *k, char *buf, size_t n)
{
    switch (k->type) {
    case CFG_INT:
        snprintf(buf, n, "a whole number from %.0f to %.0f", k->min, k->max);
        break;
    case CFG_REAL:
        snprintf(buf, n, "a number from %g to %g", k->min, k->max);
        break;
    case CFG_BOOL:
        snprintf(buf, n, "true or false");
        break;
    case CFG_ENUM:
        snprintf(buf, n, "one of %s", k->choices);
        break;
    case CFG_STR:
        snprintf(buf, n, "text of at most %d bytes", CFG_VALUE_MAX);
        break;
    }
    return buf;
}

/* Finds s among "a|b|c" (case-insensitively); copies the canonical spelling. */
static int enum_match(const char *choices, const char *s, char *out, size_t n)
{
    size_t len = strlen(s);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t w = bar ? (size_t)(bar - p) : strlen(p);
        if (w == len && strncasecmp(p, s, w) == 0 && w < n) {
            memcpy(out, p, w);
            out[w] = '\0';
            return 0;
        }
        p += w + (bar ? 1 : 0);
    }
    return -1;
}

/* Validates text for key id and stores it with its origin. */
static int set_value(struct cfg *c, enum cfg_id id, const char *text, const char *origin,
                     struct err *e)
{
    const struct cfg_key *k = &keys[id];
    struct cfg_val *v = &c->v[id];
    char want[160], canon[64];
    const char *stored = text;

    if (strlen(text) > CFG_VALUE_MAX)
        goto bad;
    switch (k->type) {
    case CFG_INT: {
        char *end;
        errno = 0;
        long long x = strtoll(text, &end, 10);
        if (end == text || *end || errno || (double)x < k->min || (double)x > k->max)
            goto bad;
        v->i = x;
        break;
    }
    case CFG_REAL: {
        char *end;
        errno = 0;
        double x = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(x) || x < k->min || x > k->max)
            goto bad;
        v->r = x;
        break;
    }
    case CFG_BOOL:
        if (!strcasecmp(text, "true") || !strcasecmp(text, "yes") || !strcasecmp(text, "on") ||
            !strcmp(text, "1"))
            v->i = 1;
        else if (!strcasecmp(text, "false") || !strcasecmp(text, "no") ||
                 !strcasecmp(text, "off") || !strcmp(text, "0"))
            v->i = 0;
        else
            goto bad;
        stored = v->i ? "true" : "false";
        break;
    case CFG_ENUM:
        if (enum_match(k->choices, text, canon, sizeof canon) != 0)
            goto bad;
        stored = canon;
        break;
    case CFG_STR:
        for (const unsigned char *p = (const unsigned char *)text; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                goto bad;
        break;
    }
    free(v->s);
    v->s = xstrdup(stored);
    snprintf(v->origin, sizeof v->origin, "%s", origin);
    return 0;
bad:
    return err_set(e, "%s: [%s] %s = \"%.60s%s\": expected %s", origin, k->section, k->name, text,
                   strlen(text) > 60 ? "..." : "", type_words(k, want, sizeof want));
}

static void cfg_defaults(struct cfg *c)
{
    for (int id = 0; id < CFG_COUNT; id++)
        if (set_value(c, (enum cfg_id)id, keys[id].def, "default", NULL) != 0)
            core_die("built-in default of [%s] %s is invalid", keys[id].section, keys[id].name);
}

static int find_key(const char *section, const char *name)
{
    for (int id = 0; id < CFG_COUNT; id++)
        if (!strcmp(keys[id].section, section) && !strcmp(keys[id].name, name))
            return id;
    return -1;
}

static int known_section(const char *section)
{
    for (int id = 0; id < CFG_COUNT; id++)
        if (!strcmp(keys[id].section, section))
            return 1;
    return 0;
}

/* "listen, threads, ..." for an error message. */
static void section_keys(const char *section, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int id = 0; id < CFG_COUNT && used < n; id++) {
        if (strcmp(keys[id].section, section) != 0)
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", keys[id].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* "http, data, ..." in table order, for an error message. */
static void section_names(char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int id = 0; id < CFG_COUNT && used < n; id++) {
        if (id > 0 && !strcmp(keys[id].section, keys[id - 1].section))
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", keys[id].section);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

static int parse_file(struct cfg *c, const char *path, const char *text, struct err *e)
{
    char section[64] = "";
    unsigned char seen[CFG_COUNT] = {0};
    char origin[80], list[512];
    int lineno = 0;

    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[CFG_VALUE_MAX + 256];
        lineno++;
        snprintf(origin, sizeof origin, "%s:%d", path, lineno);
        if (len >= sizeof line)
            return err_set(e, "%s: line is longer than %zu bytes", origin, sizeof line - 1);
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (nl ? 1 : 0);
        if (memchr(line, '\0', len))
            return err_set(e, "%s: NUL byte in the line; is this a text file?", origin);

        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || *trim(close + 1))
                return err_set(e, "%s: expected a section line like [http]", origin);
            *close = '\0';
            s = trim(s + 1);
            if (!known_section(s)) {
                section_names(list, sizeof list);
                return err_set(e, "%s: unknown section [%.40s]; sections are %s", origin, s,
                               list);
            }
            snprintf(section, sizeof section, "%s", s);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq)
            return err_set(e, "%s: expected 'key = value' or a [section] line", origin);
        *eq = '\0';
        char *name = trim(s), *value = trim(eq + 1);
        if (!section[0])
            return err_set(e, "%s: key '%.40s' comes before any [section] line", origin, name);
        int id = find_key(section, name);
        if (id < 0) {
            section_keys(section, list, sizeof list);
            return err_set(e, "%s: unknown key '%.40s' in [%s]; keys there are: %s", origin,
                           name, section, list);
        }
        if (seen[id])
            return err_set(e, "%s: [%s] %s is set a second time", origin, section, name);
        seen[id] = 1;
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        if (set_value(c, (enum cfg_id)id, value, origin, e) != 0)
            return -1;
    }
    return 0;
}

static int load_file(struct cfg *c, const char *path, int must_exist, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (!must_exist && errno == ENOENT)
            return 0;
        return err_set(e, "cannot read configuration file %s: %s", path, strerror(errno));
    }
    char *text = xmalloc(CFG_FILE_MAX + 1);
    size_t n = fread(text, 1, CFG_FILE_MAX + 1, f);
    int rc;
    if (ferror(f))
        rc = err_set(e, "cannot read configuration file %s: %s", path, strerror(errno));
    else if (n > CFG_FILE_MAX)
        rc = err_set(e, "configuration file %s is larger than 1 MiB", path);
    else {
        text[n] = '\0';
        rc = parse_file(c, path, text, e);
    }
    free(text);
    fclose(f);
    return rc;
}

static int load_env(struct cfg *c, struct err *e)
{
    for (int id = 0; id < CFG_COUNT; id++) {
        char var[96];
        int n = snprintf(var, sizeof var, "DXFQUOTE_%s_%s", keys[id].section, keys[id].name);
        for (int i = 0; i < n; i++)
            var[i] = (char)toupper((unsigned char)var[i]);
        const char *val = getenv(var);
        if (val && set_value(c, (enum cfg_id)id, val, var, e) != 0)
            return -1;
    }
    return 0;
}

int cfg_load(struct cfg **out, const char *path, struct err *e)
{
    struct cfg *c = xcalloc(1, sizeof *c);
    cfg_defaults(c);
    if (load_file(c, path ? path : CFG_DEFAULT_FILE, path != NULL, e) != 0 ||
        load_env(c, e) != 0) {
        cfg_free(c);
        *out = NULL;
        return -1;
    }
    *out = c;
    return 0;
}

void cfg_free(struct cfg *c)
{
    if (!c)
        return;
    for (int id = 0; id < CFG_COUNT; id++)
        free(c->v[id].s);
    free(c);
}

int cfg_set(struct cfg *c, enum cfg_id id, const char *value, const char *origin, struct err *e)
{
    return set_value(c, id, value, origin, e);
}

long long cfg_int(const struct cfg *c, enum cfg_id id)
{
    return c->v[id].i;
}

double cfg_real(const struct cfg *c, enum cfg_id id)
{
    return c->v[id].r;
}

int cfg_bool(const struct cfg *c, enum cfg_id id)
{
    return (int)c->v[id].i;
}

const char *cfg_str(const struct cfg *c, enum cfg_id id)
{
    return c->v[id].s;
}

const char *cfg_origin(const struct cfg *c, enum cfg_id id)
{
    return c->v[id].origin;
}

/* Writes text as "# " comment lines wrapped before column 79. */
static void write_comment(FILE *f, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t take = strlen(p);
        if (take > 76) {
            take = 76;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = 76;
        }
        fprintf(f, "# %.*s\n", (int)take, p);
        p += take;
        while (*p == ' ')
            p++;
    }
}

void cfg_write_help(FILE *f)
{
    char want[160], line[256];
    fputs("# appliance.ini - configuration of the DXF Quote Appliance.\n"
          "#\n"
          "# Every key is optional: the value shown is the built-in default, and the\n"
          "# appliance runs with no file at all.  Lines starting with # or ; are\n"
          "# comments; a value runs to the end of its line.  An environment variable\n"
          "# DXFQUOTE_<SECTION>_<KEY> (for example DXFQUOTE_HTTP_LISTEN) overrides the\n"
          "# file, and a command-line flag (--listen, --data) overrides both.\n"
          "#\n"
          "# This file is what `dxfquote help-config` prints.\n",
          f);
    const char *section = "";
    for (int id = 0; id < CFG_COUNT; id++) {
        const struct cfg_key *k = &keys[id];
        if (strcmp(section, k->section) != 0) {
            fprintf(f, "\n[%s]\n", k->section);
            section = k->section;
        }
        fputc('\n', f);
        write_comment(f, k->help);
        type_words(k, want, sizeof want);
        want[0] = (char)toupper((unsigned char)want[0]);
        size_t dl = strlen(k->def);
        snprintf(line, sizeof line, "%s. Default: %s%s", want, dl ? k->def : "empty",
                 dl && k->def[dl - 1] == '.' ? "" : ".");
        write_comment(f, line);
        fprintf(f, "%s = %s\n", k->name, k->def);
    }
}
