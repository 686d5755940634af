/*
 * metrics.c - a small Prometheus registry and its text exposition.
 *
 * Families (counter, gauge, histogram, or a gauge read through a callback)
 * are registered at start-up and never removed.  A series is one set of
 * label values; series are created on first use and kept in a short list
 * per family, so label values must have bounded cardinality (route patterns,
 * not raw paths).  At most METRIC_SERIES_MAX series per family: past that,
 * updates for new label sets are dropped and counted in
 * dxfquote_metrics_dropped_total.  One mutex guards the registry; updates
 * are a lookup and an add.
 */
#include "core.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define METRIC_LABELS_MAX 4
#define METRIC_SERIES_MAX 1000
#define METRIC_BUCKETS_MAX 24

enum metric_kind { M_COUNTER, M_GAUGE, M_HISTOGRAM, M_GAUGE_FN };

struct series {
    struct series *next;
    char *key; /* label values joined by '\x1f' */
    char *values[METRIC_LABELS_MAX];
    double value;                             /* counter, gauge; histogram sum */
    unsigned long long count;                 /* histogram */
    unsigned long long bucket[METRIC_BUCKETS_MAX]; /* histogram, not cumulative */
};

struct metric {
    struct metric *next;
    enum metric_kind kind;
    char *name, *help;
    int nlabels;
    char *labels[METRIC_LABELS_MAX];
    double buckets[METRIC_BUCKETS_MAX];
    int nbuckets;
    double (*fn)(void *);
    void *ctx;
    struct series *series;
    int nseries;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct metric *families, **families_tail = &families;
static unsigned long long dropped;

static struct metric *add_family(enum metric_kind kind, const char *name, const char *help,
                                 const char *labels)
{
    struct metric *m = xcalloc(1, sizeof *m);
    m->kind = kind;
    m->name = xstrdup(name);
    m->help = xstrdup(help);
    if (labels && *labels) {
        char *copy = xstrdup(labels), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (m->nlabels == METRIC_LABELS_MAX)
                core_die("metric %s: more than %d labels", name, METRIC_LABELS_MAX);
            m->labels[m->nlabels++] = xstrdup(t);
        }
        free(copy);
    }
    pthread_mutex_lock(&mu);
    *families_tail = m;
    families_tail = &m->next;
    pthread_mutex_unlock(&mu);
    return m;
}

struct metric *metric_counter(const char *name, const char *help, const char *labels)
{
    return add_family(M_COUNTER, name, help, labels);
}

struct metric *metric_gauge(const char *name, const char *help, const char *labels)
{
    return add_family(M_GAUGE, name, help, labels);
}

struct metric *metric_histogram(const char *name, const char *help, const char *labels,
                                const double *buckets, int nb)
{
    if (nb < 1 || nb > METRIC_BUCKETS_MAX)
        core_die("metric %s: %d buckets (1 to %d allowed)", name, nb, METRIC_BUCKETS_MAX);
    struct metric *m = add_family(M_HISTOGRAM, name, help, labels);
    memcpy(m->buckets, buckets, (size_t)nb * sizeof *buckets);
    m->nbuckets = nb;
    return m;
}

struct metric *metric_gauge_fn(const char *name, const char *help, double (*fn)(void *), void *ctx)
{
    struct metric *m = add_family(M_GAUGE_FN, name, help, NULL);
    m->fn = fn;
    m->ctx = ctx;
    return m;
}

/* Called with mu held.  NULL when the family is full. */
static struct series *find_series(struct metric *m, const char *const *values)
{
    char key[512];
    size_t o = 0;
    key[0] = '\0';
    for (int i = 0; i < m->nlabels; i++) {
        const char *v = values && values[i] ? values[i] : "";
        int w = snprintf(key + o, sizeof key - o, "%s%s", i ? "\x1f" : "", v);
        if (w < 0 || (size_t)w >= sizeof key - o)
            break;
        o += (size_t)w;
    }
    for (struct series *s = m->series; s; s = s->next)
        if (!strcmp(s->key, key))
            return s;
    if (m->nseries >= METRIC_SERIES_MAX) {
        dropped++;
        return NULL;
    }
    struct series *s = xcalloc(1, sizeof *s);
    s->key = xstrdup(key);
    for (int i = 0; i < m->nlabels; i++)
        s->values[i] = xstrdup(values && values[i] ? values[i] : "");
    s->next = m->series;
    m->series = s;
    m->nseries++;
    return s;
}

void metric_add(struct metric *m, const char *const *values, double v)
{
    pthread_mutex_lock(&mu);
    struct series *s = find_series(m, values);
    if (s)
        s->value += v;
    pthread_mutex_unlock(&mu);
}

void metric_set(struct metric *m, const char *const *values, double v)
{
    pthread_mutex_lock(&mu);
    struct series *s = find_series(m, values);
    if (s)
        s->value = v;
    pthread_mutex_unlock(&mu);
}

void metric_observe(struct metric *m, const char *const *values, double v)
{
    pthread_mutex_lock(&mu);
    struct series *s = find_series(m, values);
    if (s) {
        int b = 0;
        while (b < m->nbuckets && v > m->buckets[b])
            b++;
        if (b < m->nbuckets)
            s->bucket[b]++;
        s->count++;
        s->value += v;
    }
    pthread_mutex_unlock(&mu);
}

/* A growable output buffer. */
struct out {
    char *buf;
    size_t len, cap;
};

static void out_printf(struct out *o, const char *fmt, ...) CORE_PRINTF(2, 3);
static void out_printf(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        o->cap = (o->cap + (size_t)n + 1) * 2;
        o->buf = xrealloc(o->buf, o->cap);
    }
}

/* The shortest of %.15g and %.17g that reads back as v. */
static const char *fmt_number(char *buf, size_t n, double v)
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, n, "%.17g", v);
    return buf;
}

static void out_number(struct out *o, double v)
{
    char buf[40];
    out_printf(o, "%s", fmt_number(buf, sizeof buf, v));
}

/* Label set {a="x",b="y"[,le="0.5"]} with values escaped as the format asks. */
static void out_labels(struct out *o, const struct metric *m, const struct series *s,
                       const char *le)
{
    if (m->nlabels == 0 && !le)
        return;
    out_printf(o, "{");
    for (int i = 0; i < m->nlabels; i++) {
        out_printf(o, "%s%s=\"", i ? "," : "", m->labels[i]);
        for (const char *p = s->values[i]; *p; p++) {
            if (*p == '\\' || *p == '"')
                out_printf(o, "\\%c", *p);
            else if (*p == '\n')
                out_printf(o, "\\n");
            else
                out_printf(o, "%c", *p);
        }
        out_printf(o, "\"");
    }
    if (le)
        out_printf(o, "%sle=\"%s\"", m->nlabels ? "," : "", le);
    out_printf(o, "}");
}

static const char *type_name(enum metric_kind k)
{
    return k == M_COUNTER ? "counter" : k == M_HISTOGRAM ? "histogram" : "gauge";
}

char *metric_render(size_t *len)
{
    struct out o = {xmalloc(4096), 0, 4096};
    o.buf[0] = '\0';
    pthread_mutex_lock(&mu);
    for (struct metric *m = families; m; m = m->next) {
        out_printf(&o, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
                   type_name(m->kind));
        if (m->kind == M_GAUGE_FN) {
            out_printf(&o, "%s ", m->name);
            out_number(&o, m->fn(m->ctx));
            out_printf(&o, "\n");
            continue;
        }
        if (m->nlabels == 0 && !m->series && m->kind != M_HISTOGRAM)
            find_series(m, NULL); /* an unlabelled counter starts at 0 */
        for (struct series *s = m->series; s; s = s->next) {
            if (m->kind != M_HISTOGRAM) {
                out_printf(&o, "%s", m->name);
                out_labels(&o, m, s, NULL);
                out_printf(&o, " ");
                out_number(&o, s->value);
                out_printf(&o, "\n");
                continue;
            }
            unsigned long long cum = 0;
            for (int b = 0; b < m->nbuckets; b++) {
                char le[40];
                cum += s->bucket[b];
                out_printf(&o, "%s_bucket", m->name);
                out_labels(&o, m, s, fmt_number(le, sizeof le, m->buckets[b]));
                out_printf(&o, " %llu\n", cum);
            }
            out_printf(&o, "%s_bucket", m->name);
            out_labels(&o, m, s, "+Inf");
            out_printf(&o, " %llu\n%s_sum", s->count, m->name);
            out_labels(&o, m, s, NULL);
            out_printf(&o, " ");
            out_number(&o, s->value);
            out_printf(&o, "\n%s_count", m->name);
            out_labels(&o, m, s, NULL);
            out_printf(&o, " %llu\n", s->count);
        }
    }
    out_printf(&o,
               "# HELP dxfquote_metrics_dropped_total Metric updates dropped because a family "
               "had too many label sets.\n# TYPE dxfquote_metrics_dropped_total counter\n"
               "dxfquote_metrics_dropped_total %llu\n",
               dropped);
    pthread_mutex_unlock(&mu);
    *len = o.len;
    return o.buf;
}
