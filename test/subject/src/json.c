/* A tiny JSON tree and printer, formatted like cJSON (which iperf3 uses). */
#include "config.h"

#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct jnode *jnew(enum jtype type)
{
    struct jnode *n = calloc(1, sizeof(*n));
    if (n == NULL) {
        perror("iperf3: calloc");
        abort();
    }
    n->type = type;
    return n;
}

struct jnode *json_object(void) { return jnew(J_OBJ); }
struct jnode *json_array(void) { return jnew(J_ARR); }

struct jnode *json_int(long long value)
{
    struct jnode *n = jnew(J_INT);
    n->v.i = value;
    return n;
}

struct jnode *json_num(double value)
{
    struct jnode *n = jnew(J_NUM);
    n->v.num = value;
    return n;
}

struct jnode *json_str(const char *value)
{
    struct jnode *n = jnew(J_STR);
    n->v.str = strdup(value != NULL ? value : "");
    return n;
}

struct jnode *json_bool(int value)
{
    struct jnode *n = jnew(J_BOOL);
    n->v.b = value != 0;
    return n;
}

static void link_child(struct jnode *parent, struct jnode *child)
{
    if (parent->last != NULL)
        parent->last->next = child;
    else
        parent->child = child;
    parent->last = child;
}

struct jnode *json_add(struct jnode *obj, const char *key, struct jnode *value)
{
    free(value->key);
    value->key = strdup(key);
    link_child(obj, value);
    return value;
}

struct jnode *json_append(struct jnode *arr, struct jnode *value)
{
    link_child(arr, value);
    return value;
}

struct jnode *json_get(const struct jnode *obj, const char *key)
{
    if (obj == NULL)
        return NULL;
    for (struct jnode *c = obj->child; c != NULL; c = c->next)
        if (c->key != NULL && strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

static void print_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++)
        fputc('\t', f);
}

static void print_node(FILE *f, const struct jnode *n, int depth)
{
    switch (n->type) {
    case J_NULL: fputs("null", f); break;
    case J_BOOL: fputs(n->v.b ? "true" : "false", f); break;
    case J_INT: fprintf(f, "%lld", n->v.i); break;
    case J_NUM:
        /* JSON has no NaN/Infinity; iperf3 readers expect a number. */
        if (!isfinite(n->v.num))
            fputs("0", f);
        else if (n->v.num == floor(n->v.num) && fabs(n->v.num) < 1e15)
            fprintf(f, "%.0f", n->v.num);
        else
            fprintf(f, "%.17g", n->v.num);
        break;
    case J_STR: print_string(f, n->v.str); break;
    case J_ARR:
        fputc('[', f);
        for (const struct jnode *c = n->child; c != NULL; c = c->next) {
            print_node(f, c, depth);
            if (c->next != NULL)
                fputs(", ", f);
        }
        fputc(']', f);
        break;
    case J_OBJ:
        fputs("{\n", f);
        for (const struct jnode *c = n->child; c != NULL; c = c->next) {
            indent(f, depth + 1);
            print_string(f, c->key != NULL ? c->key : "");
            fputs(":\t", f);
            print_node(f, c, depth + 1);
            if (c->next != NULL)
                fputc(',', f);
            fputc('\n', f);
        }
        indent(f, depth);
        fputc('}', f);
        break;
    }
}

void json_print(FILE *f, const struct jnode *node)
{
    print_node(f, node, 0);
    fputc('\n', f);
}

void json_free(struct jnode *node)
{
    while (node != NULL) {
        struct jnode *next = node->next;
        json_free(node->child);
        if (node->type == J_STR)
            free(node->v.str);
        free(node->key);
        free(node);
        node = next;
    }
}
