/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file json.h
 * A small JSON reader for the telemetry replies dnsbumpctl reads (objects,
 * arrays, strings, numbers, literals), and the string writer of the JSON
 * reports. Not for the fast path.
 */
#ifndef DNSBUMP_JSON_H
#define DNSBUMP_JSON_H

#include <stddef.h>
#include <stdio.h>

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum json_type type;
	double num;
	char *str;            /**< J_STR */
	size_t n;             /**< J_ARR / J_OBJ members */
	char **keys;          /**< J_OBJ */
	struct json *items;
};

/** Parse @p text into @p out. @return 0, or -1 on a syntax error. */
int json_parse(const char *text, struct json *out);

/** Free what json_parse() allocated. */
void json_free(struct json *v);

/** Member @p key of object @p v, or NULL. */
const struct json *json_get(const struct json *v, const char *key);

/** Write @p s to @p f as a JSON string (quoted, escaped). */
void json_write_string(FILE *f, const char *s);

#endif
