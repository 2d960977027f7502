/* A tiny JSON tree and printer: just what iperf3-style -J output needs. */
#ifndef JSON_H
#define JSON_H

#include <stdint.h>
#include <stdio.h>

enum jtype { J_NULL, J_BOOL, J_INT, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
    enum jtype type;
    char *key; /* set when the node is a member of an object */
    union {
        int b;
        long long i;
        double num;
        char *str;
    } v;
    struct jnode *child; /* first element or member */
    struct jnode *last;
    struct jnode *next;
};

struct jnode *json_object(void);
struct jnode *json_array(void);
struct jnode *json_int(long long value);
struct jnode *json_num(double value);
struct jnode *json_str(const char *value);
struct jnode *json_bool(int value);

/* Add a member to an object (takes ownership of value); returns value. */
struct jnode *json_add(struct jnode *obj, const char *key, struct jnode *value);
/* Append an element to an array (takes ownership); returns value. */
struct jnode *json_append(struct jnode *arr, struct jnode *value);
struct jnode *json_get(const struct jnode *obj, const char *key);

void json_print(FILE *f, const struct jnode *node);
void json_free(struct jnode *node);

#endif
