/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "probe_ladder.h"

#define HDR 12
#define QFIXED 4   /* qtype, qclass */
#define RRFIXED 12 /* owner pointer 2, type, class, ttl, rdlength */
#define OPT 11

void probe_ladder_default(struct probe_ladder *l)
{
	static const unsigned extra[] = { 1232, 1452, 1472 };
	probe_ladder_set(l, 400, 4000, 100, extra, 3);
}

static int cmp_u(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

int probe_ladder_set(struct probe_ladder *l, unsigned min, unsigned max, unsigned step,
		     const unsigned *extra, unsigned n_extra)
{
	struct probe_ladder t;
	if (min < 100 || max > 65000 || min > max || !step || n_extra > PROBE_LADDER_MAX_EXTRA ||
	    (max - min) / step + 1 + n_extra > PROBE_LADDER_MAX)
		return -1;
	memset(&t, 0, sizeof(t));
	t.min = min;
	t.max = max;
	t.step = step;
	for (unsigned s = min; s <= max; s += step)
		t.size[t.n++] = s;
	for (unsigned i = 0; i < n_extra; i++) {
		if (extra[i] < 100 || extra[i] > 65000)
			return -1;
		t.extra[t.n_extra++] = extra[i];
		t.size[t.n++] = extra[i];
	}
	qsort(t.size, t.n, sizeof(t.size[0]), cmp_u);
	unsigned k = 0;
	for (unsigned i = 0; i < t.n; i++)
		if (!k || t.size[k - 1] != t.size[i])
			t.size[k++] = t.size[i];
	t.n = k;
	*l = t;
	return 0;
}

int probe_ladder_parse(struct probe_ladder *l, const char *txt)
{
	unsigned min = 0, max = 0, step = 0, extra[PROBE_LADDER_MAX_EXTRA], n_extra = 0;
	int version = 0;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", txt);
	for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *end;
		if (!strcmp(tok, "v=dnsbump-ladder1")) {
			version = 1;
		} else if (!strncmp(tok, "min=", 4)) {
			min = (unsigned)strtoul(tok + 4, &end, 10);
			if (*end)
				return -1;
		} else if (!strncmp(tok, "max=", 4)) {
			max = (unsigned)strtoul(tok + 4, &end, 10);
			if (*end)
				return -1;
		} else if (!strncmp(tok, "step=", 5)) {
			step = (unsigned)strtoul(tok + 5, &end, 10);
			if (*end)
				return -1;
		} else if (!strncmp(tok, "extra=", 6)) {
			for (char *p = tok + 6; *p;) {
				if (n_extra == PROBE_LADDER_MAX_EXTRA)
					return -1;
				extra[n_extra++] = (unsigned)strtoul(p, &end, 10);
				if (end == p || (*end && *end != ','))
					return -1;
				p = *end ? end + 1 : end;
			}
		} /* unknown keys: later versions may add some */
	}
	if (!version)
		return -1;
	return probe_ladder_set(l, min, max, step, extra, n_extra);
}

void probe_ladder_format(const struct probe_ladder *l, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "v=dnsbump-ladder1 min=%u max=%u step=%u", l->min, l->max,
			 l->step);
	for (unsigned i = 0; i < l->n_extra && n > 0 && (size_t)n < outlen; i++)
		n += snprintf(out + n, outlen - (size_t)n, "%s%u", i ? "," : " extra=", l->extra[i]);
}

void probe_ladder_label(unsigned size, char *out, size_t outlen)
{
	snprintf(out, outlen, "s%04u", size);
}

/* Octets of @p zone in wire form (labels, root). */
static int wire_len(const char *zone)
{
	size_t n = strlen(zone);
	if (n && zone[n - 1] == '.')
		n--;
	return n ? (int)n + 2 : 1;
}

int probe_ladder_rdata_len(unsigned size, const char *zone)
{
	char label[16];
	probe_ladder_label(size, label, sizeof(label));
	int qname = (int)strlen(label) + 1 + wire_len(zone);
	int r = (int)size - (HDR + qname + QFIXED + RRFIXED + OPT);
	return r >= 1 ? r : -1;
}

int probe_ladder_write_zone(const struct probe_ladder *l, const char *zone, unsigned ttl,
			    FILE *out)
{
	char text[256], label[16];
	size_t zl = strlen(zone);
	const char *dot = zl && zone[zl - 1] == '.' ? "" : ".";
	probe_ladder_format(l, text, sizeof(text));
	fprintf(out, "; dnsbump-probe reply-size ladder: the TXT answer of sNNNN is NNNN octets\n"
		     "; (no DO, OPT in the answer, owner compressed). Sign the zone for the DO tests.\n");
	fprintf(out, "_ladder.%s%s %u IN TXT \"%s\"\n", zone, dot, ttl, text);
	for (unsigned i = 0; i < l->n; i++) {
		int r = probe_ladder_rdata_len(l->size[i], zone);
		if (r < 0)
			return -1;
		/* k strings of up to 255 octets, each with its length octet. */
		int k = (r + 255) / 256;
		int last = r - k - 255 * (k - 1);
		probe_ladder_label(l->size[i], label, sizeof(label));
		fprintf(out, "%s.%s%s %u IN TXT", label, zone, dot, ttl);
		for (int j = 0; j < k; j++) {
			int len = j + 1 < k ? 255 : last;
			fputs(" \"", out);
			for (int c = 0; c < len; c++)
				fputc('a' + (c + j) % 26, out);
			fputc('"', out);
		}
		fputc('\n', out);
	}
	return 0;
}

const char *probe_outcome_name(enum probe_outcome o)
{
	static const char *const n[] = { "arrived", "truncated", "lost", "error" };
	return (unsigned)o < 4 ? n[o] : "?";
}

static enum probe_outcome ask(const struct probe_ladder *l, probe_try_fn fn, void *ctx,
			      struct probe_search *s, int i)
{
	unsigned got = 0;
	enum probe_outcome o = fn(ctx, l->size[i], &got);
	if (s->n_tries < sizeof(s->tries) / sizeof(s->tries[0]))
		s->tries[s->n_tries++] = (struct probe_try){ l->size[i], got, o };
	if (o == PROBE_ARRIVED) {
		if (i > s->largest) {
			s->largest = i;
			s->largest_got = got;
		}
	} else if (s->smallest_failed < 0 || i < s->smallest_failed) {
		s->smallest_failed = i;
		s->failed_how = o;
	}
	return o;
}

void probe_ladder_search(const struct probe_ladder *l, probe_try_fn fn, void *ctx,
			 struct probe_search *s)
{
	memset(s, 0, sizeof(*s));
	s->largest = s->smallest_failed = -1;
	if (!l->n)
		return;
	if (ask(l, fn, ctx, s, 0) != PROBE_ARRIVED)
		return;
	int hi = (int)l->n - 1;
	if (hi == 0 || ask(l, fn, ctx, s, hi) == PROBE_ARRIVED)
		return;
	int lo = 0; /* arrived at lo, not at hi */
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;
		if (ask(l, fn, ctx, s, mid) == PROBE_ARRIVED)
			lo = mid;
		else
			hi = mid;
	}
}
