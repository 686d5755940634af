/*
 * api_customers.c - the shop's customers: list with a search, add, read,
 * change.  Quotes name one (api_quotes.c).
 *
 * Routes (all HTTP_ROLE_SALES): GET /api/customers?q=&limit=&offset=,
 * POST /api/customers, GET /api/customers/{id}, PATCH /api/customers/{id}.
 *
 * Input: name 1-200 characters (unique without regard to case, not all
 * blank), company and contact up to 200, email up to 254 (one @ with text
 * on both sides, or ""), phone up to 50, address up to 1000, notes up to
 * 10,000.  Text is stored and answered as sent: a name such as
 * "<script>" comes back as that JSON string, never as markup; the browser
 * must show it as text.
 *
 * Invariants:
 *  1. Every change is audited (customer.create, customer.update with the
 *     fields changed).
 *  2. A new name reaches the customer's draft quotes, not those sent
 *     (store/customers.c, invariant 1).
 */
#include <stddef.h>
#include <string.h>

#include "http/internal.h"

#define CUSTOMER_BODY_MAX (64 * 1024)

/* The text members of a customer with their limits, in answer order. */
static const struct {
    const char *name;
    size_t max;
    size_t off;
} fields[] = {
    {"name", STORE_CUSTOMER_NAME_MAX, offsetof(struct store_customer, name)},
    {"company", 200, offsetof(struct store_customer, company)},
    {"contact", 200, offsetof(struct store_customer, contact)},
    {"email", 254, offsetof(struct store_customer, email)},
    {"phone", 50, offsetof(struct store_customer, phone)},
    {"address", 1000, offsetof(struct store_customer, address)},
    {"notes", STORE_CUSTOMER_NOTES_MAX, offsetof(struct store_customer, notes)},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const char **field_of(struct store_customer *c, size_t i)
{
    return (const char **)((char *)c + fields[i].off);
}

cJSON *http_customer_json(const struct store_customer *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)c->id);
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *v = *field_of((struct store_customer *)c, i);
        cJSON_AddStringToObject(o, fields[i].name, v ? v : "");
    }
    cJSON_AddNumberToObject(o, "quotes", (double)c->quotes);
    http_json_time(o, "created", c->created);
    http_json_time(o, "updated", c->updated);
    return o;
}

struct list_ctx {
    cJSON *arr;
};

static int list_one(const struct store_customer *c, void *ctx)
{
    cJSON_AddItemToArray(((struct list_ctx *)ctx)->arr, http_customer_json(c));
    return 0;
}

static int customers_list(struct http_req *r)
{
    static const char *const known[] = {"q", "limit", "offset", NULL};
    char q[4 * 200 + 1];
    long long limit = 50, offset = 0;
    int64_t total = 0;
    struct store *s;
    struct err e = {""};
    int st, has_q;
    if ((st = http_query_only(r, known)) != 0 ||
        (st = http_query_string(r, "q", 200, q, sizeof q, &has_q)) != 0 ||
        (st = http_query_int(r, "limit", 1, 200, &limit)) != 0 ||
        (st = http_query_int(r, "offset", 0, 1000000000, &offset)) != 0 ||
        (st = http_store_or_fail(r, &s)) != 0)
        return st;
    struct arena *a = arena_new(0);
    cJSON *o = cJSON_CreateObject();
    struct list_ctx ctx = {cJSON_AddArrayToObject(o, "customers")};
    if (store_customer_list(s, a, has_q ? q : NULL, (int)limit, (int)offset, list_one, &ctx,
                            &total, &e) != 0) {
        cJSON_Delete(o);
        arena_free(a);
        return http_fail_internal(r, "listing customers", &e);
    }
    arena_free(a);
    cJSON_AddNumberToObject(o, "total", (double)total);
    cJSON_AddNumberToObject(o, "limit", (double)limit);
    cJSON_AddNumberToObject(o, "offset", (double)offset);
    return http_reply_json(r, 200, o, NULL);
}

/* Reads the text members of body into c (absent ones NULL) and checks
 * them; name required when need_name.  *n (may be NULL) gets how many
 * were sent.  0, or the status sent. */
static int read_customer(struct http_req *r, const cJSON *body, int need_name,
                         struct store_customer *c, int *n)
{
    static const char *const known[] = {"name",    "company", "contact", "email",
                                        "phone",   "address", "notes",   NULL};
    const char *field = NULL;
    struct err e = {""};
    int st, count = 0;
    memset(c, 0, sizeof *c);
    if ((st = http_json_only(r, body, known)) != 0)
        return st;
    for (size_t i = 0; i < NFIELDS; i++) {
        int is_name = i == 0;
        if ((st = http_json_string(r, body, fields[i].name, is_name && need_name,
                                   is_name ? 1 : 0, fields[i].max, field_of(c, i))) != 0)
            return st;
        count += *field_of(c, i) != NULL;
    }
    if (store_customer_check(c, need_name, &field, &e) != 0)
        return http_reply_error(r, 400, "invalid", field, NULL, "%s", e.msg);
    if (n)
        *n = count;
    return 0;
}

/* Answers with customer id (status 200 or 201). */
static int reply_customer(struct http_req *r, struct store *s, int64_t id, int status)
{
    struct arena *a = arena_new(0);
    struct store_customer c;
    struct err e = {""};
    int found = store_customer_get(s, a, id, &c, &e);
    if (found <= 0) {
        arena_free(a);
        if (found == 0)
            return http_reply_error(r, 404, NULL, NULL, NULL, "no such customer: %lld",
                                    (long long)id);
        return http_fail_internal(r, "reading a customer", &e);
    }
    cJSON *o = http_customer_json(&c);
    arena_free(a);
    return http_reply_json(r, status, o, NULL);
}

static int customers_add(struct http_req *r)
{
    cJSON *body = NULL;
    struct store_customer c;
    struct store *s;
    struct err e = {""};
    int64_t id = 0;
    int st;
    if ((st = http_read_json(r, CUSTOMER_BODY_MAX, &body)) != 0)
        return st;
    if ((st = read_customer(r, body, 1, &c, NULL)) != 0 || (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    int rc = store_customer_add(s, &c, &id, &e);
    if (rc == STORE_TAKEN) {
        st = http_reply_error(r, 409, NULL, "name", NULL, "%s", e.msg);
        goto done;
    }
    if (rc != 0) {
        st = http_fail_internal(r, "adding a customer", &e);
        goto done;
    }
    http_audit(r, r->auth.user.name, "customer.create", "customer %lld: %.200s", (long long)id,
               c.name);
    st = reply_customer(r, s, id, 201);
done:
    cJSON_Delete(body);
    return st;
}

static int customers_get(struct http_req *r)
{
    struct store *s;
    int64_t id;
    int st;
    if (http_path_id(r, "id", &id) != 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such customer: %s", r->path);
    if ((st = http_store_or_fail(r, &s)) != 0)
        return st;
    return reply_customer(r, s, id, 200);
}

static int customers_patch(struct http_req *r)
{
    cJSON *body = NULL;
    struct store_customer c;
    struct store *s;
    struct err e = {""};
    char changed[128] = "";
    int64_t id;
    int st, n = 0;
    if (http_path_id(r, "id", &id) != 0)
        return http_reply_error(r, 404, NULL, NULL, NULL, "no such customer: %s", r->path);
    if ((st = http_read_json(r, CUSTOMER_BODY_MAX, &body)) != 0)
        return st;
    if ((st = read_customer(r, body, 0, &c, &n)) != 0 || (st = http_store_or_fail(r, &s)) != 0)
        goto done;
    if (n == 0) {
        st = http_reply_error(r, 400, "invalid", NULL, NULL,
                              "nothing to change: send name, company, contact, email, phone, "
                              "address or notes");
        goto done;
    }
    int rc = store_customer_update(s, id, &c, &e);
    if (rc == 0) {
        st = http_reply_error(r, 404, NULL, NULL, NULL, "no such customer: %lld", (long long)id);
        goto done;
    }
    if (rc == STORE_TAKEN) {
        st = http_reply_error(r, 409, NULL, "name", NULL, "%s", e.msg);
        goto done;
    }
    if (rc != 1) {
        st = http_fail_internal(r, "changing a customer", &e);
        goto done;
    }
    for (size_t i = 0; i < NFIELDS; i++)
        if (*field_of(&c, i)) {
            size_t len = strlen(changed);
            snprintf(changed + len, sizeof changed - len, " %s", fields[i].name);
        }
    http_audit(r, r->auth.user.name, "customer.update", "customer %lld:%s%s%.200s",
               (long long)id, changed, c.name ? " -> " : "", c.name ? c.name : "");
    st = reply_customer(r, s, id, 200);
done:
    cJSON_Delete(body);
    return st;
}

const struct http_route http_routes_customers[] = {
    {"GET", "/api/customers", HTTP_ROLE_SALES, customers_list, NULL},
    {"POST", "/api/customers", HTTP_ROLE_SALES, customers_add, NULL},
    {"GET", "/api/customers/{id}", HTTP_ROLE_SALES, customers_get, NULL},
    {"PATCH", "/api/customers/{id}", HTTP_ROLE_SALES, customers_patch, NULL},
    {NULL, NULL, HTTP_ROLE_NONE, NULL, NULL},
};
