/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct rd {
	const char *p;
	int depth;
};

static void ws(struct rd *r)
{
	while (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r')
		r->p++;
}

static int value(struct rd *r, struct json *v);

static int string(struct rd *r, char **out)
{
	if (*r->p != '"')
		return -1;
	r->p++;
	size_t cap = 32, n = 0;
	char *s = malloc(cap);
	if (!s)
		return -1;
	while (*r->p && *r->p != '"') {
		char c = *r->p++;
		if (c == '\\') {
			c = *r->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'u': /* keep escapes of control characters as '?' */
				for (int i = 0; i < 4 && *r->p; i++)
					r->p++;
				c = '?';
				break;
			case 0: free(s); return -1;
			default: break;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);
			if (!t) {
				free(s);
				return -1;
			}
			s = t;
		}
		s[n++] = c;
	}
	if (*r->p != '"') {
		free(s);
		return -1;
	}
	r->p++;
	s[n] = 0;
	*out = s;
	return 0;
}

static int members(struct rd *r, struct json *v, int obj)
{
	char close = obj ? '}' : ']';
	size_t cap = 0;
	r->p++;
	ws(r);
	if (*r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			struct json *it = realloc(v->items, cap * sizeof(*it));
			if (!it)
				return -1;
			v->items = it;
			if (obj) {
				char **k = realloc(v->keys, cap * sizeof(*k));
				if (!k)
					return -1;
				v->keys = k;
			}
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		ws(r);
		if (obj) {
			if (string(r, &v->keys[v->n]))
				return -1;
			ws(r);
			if (*r->p++ != ':') {
				free(v->keys[v->n]);
				return -1;
			}
		}
		if (value(r, &v->items[v->n])) {
			if (obj)
				free(v->keys[v->n]);
			json_free(&v->items[v->n]);
			return -1;
		}
		v->n++;
		ws(r);
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p == close) {
			r->p++;
			return 0;
		}
		return -1;
	}
}

static int value(struct rd *r, struct json *v)
{
	ws(r);
	memset(v, 0, sizeof(*v));
	if (++r->depth > 64)
		return -1;
	int rc = -1;
	switch (*r->p) {
	case '{': v->type = J_OBJ; rc = members(r, v, 1); break;
	case '[': v->type = J_ARR; rc = members(r, v, 0); break;
	case '"': v->type = J_STR; rc = string(r, &v->str); break;
	case 't': v->type = J_BOOL; v->num = 1; rc = strncmp(r->p, "true", 4) ? -1 : (r->p += 4, 0); break;
	case 'f': v->type = J_BOOL; rc = strncmp(r->p, "false", 5) ? -1 : (r->p += 5, 0); break;
	case 'n': v->type = J_NULL; rc = strncmp(r->p, "null", 4) ? -1 : (r->p += 4, 0); break;
	default: {
		char *end;
		v->type = J_NUM;
		v->num = strtod(r->p, &end);
		rc = end == r->p ? -1 : 0;
		r->p = end;
	}
	}
	r->depth--;
	return rc;
}

int json_parse(const char *text, struct json *out)
{
	struct rd r = { text, 0 };
	if (value(&r, out)) {
		json_free(out);
		return -1;
	}
	ws(&r);
	if (*r.p) {
		json_free(out);
		return -1;
	}
	return 0;
}

void json_free(struct json *v)
{
	for (size_t i = 0; i < v->n; i++) {
		json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct json *json_get(const struct json *v, const char *key)
{
	if (!v || v->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}
