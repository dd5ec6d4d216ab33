/* SPDX-License-Identifier: BSD-3-Clause */
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"

struct ctx {
	const char *file;
	char *err;
	size_t errlen;
};

/* "file:line: message" for the setting @p s (its line, or the file's). */
static int fail(struct ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const char *f = s && config_setting_source_file(s) ? config_setting_source_file(s) : x->file;
	unsigned line = s ? config_setting_source_line(s) : 0;
	snprintf(x->err, x->errlen, "%s:%u: %s", f, line ? line : 1, msg);
	return -1;
}

static int check_keys(struct ctx *x, const config_setting_t *g, const char *where,
		      const char *const *allowed)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(n, *a);
		if (!ok)
			return fail(x, s, "unknown key '%s' in %s", n, where);
	}
	return 0;
}

static int is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

/* Optional unsigned integer @p name of group @p g in [lo, hi], or 0 when
 * @p zero_ok (0 means "off"). Absent: *out keeps its default. */
static int get_uint(struct ctx *x, const config_setting_t *g, const char *name, uint32_t lo,
		    uint32_t hi, int zero_ok, uint32_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	if (!s)
		return 0;
	if (!is_int(s))
		return fail(x, s, "%s must be an integer", name);
	long long v = config_setting_get_int64(s);
	if (zero_ok && v == 0) {
		*out = 0;
		return 0;
	}
	if (v < lo || v > hi)
		return fail(x, s, "%s = %lld is out of range (%s%u..%u)", name, v,
			    zero_ok ? "0 or " : "", lo, hi);
	*out = (uint32_t)v;
	return 0;
}

static int get_u16(struct ctx *x, const config_setting_t *g, const char *name, uint32_t lo,
		   uint32_t hi, int zero_ok, uint16_t *out)
{
	uint32_t v = *out;
	if (get_uint(x, g, name, lo, hi, zero_ok, &v))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int get_string(struct ctx *x, const config_setting_t *g, const char *name, int required,
		      char *out, size_t outlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	if (!s)
		return required ? fail(x, g, "missing %s", name) : 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(x, s, "%s must be a string", name);
	const char *v = config_setting_get_string(s);
	if (!*v || strlen(v) >= outlen)
		return fail(x, s, "%s must be 1 to %zu characters", name, outlen - 1);
	strcpy(out, v);
	return 0;
}

static const char *const emulate_keys[] = { "drop_fragments", "drop_udp_larger_than",
					    "block_tcp53", "strip_opt", "clear_do",
					    "drop_do_answers", NULL };

/* Optional string @p name of @p g, one of @p names (NULL-terminated); its
 * index in *out. */
static int get_enum(struct ctx *x, const config_setting_t *g, const char *name,
		    const char *const *names, uint8_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	if (!s)
		return 0;
	const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "";
	for (uint8_t i = 0; names[i]; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	char list[256] = "";
	for (unsigned i = 0; names[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"", i ? ", " : "",
			 names[i]);
	return fail(x, s, "%s must be one of %s", name, list);
}

static int get_bool(struct ctx *x, const config_setting_t *g, const char *name, uint8_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(x, s, "%s must be true or false", name);
	*out = (uint8_t)config_setting_get_bool(s);
	return 0;
}

static int load_emulate(struct ctx *x, const config_setting_t *root, struct dnsb_policy *p)
{
	static const char *const frag[] = { "off", "non-first", "all", NULL };
	static const char *const tcp[] = { "off", "drop", "reset", NULL };
	static const char *const strip[] = { "off", "queries", "answers", "both", NULL };
	const config_setting_t *g = config_setting_get_member(root, "emulate");
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return fail(x, g, "emulate must be a group");
	if (check_keys(x, g, "emulate", emulate_keys) ||
	    get_enum(x, g, "drop_fragments", frag, &p->emu_frag) ||
	    get_enum(x, g, "block_tcp53", tcp, &p->emu_tcp53) ||
	    get_enum(x, g, "strip_opt", strip, &p->emu_strip_opt) ||
	    get_bool(x, g, "clear_do", &p->emu_clear_do) ||
	    get_bool(x, g, "drop_do_answers", &p->emu_drop_do_answers) ||
	    get_u16(x, g, "drop_udp_larger_than", 1, 65535, 1, &p->emu_drop_larger))
		return -1;
	return 0;
}

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static const char *const top_keys[] = { "eal", "ports", "pairs", "workers", "mempool", "burst",
					 "rx_desc", "tx_desc", "drain_us", "dns", "diag", "emulate",
					 "fragments", "io_only", NULL };
static const char *const frag_keys[] = { "table_size", "max_datagram", "max_fragments",
					 "timeout_ms", "to_client", "to_server", "client_mtu",
					 "server_mtu", NULL };
static const char *const frag_policy_names[] = { "pass", "reassemble", "truncate", "drop", NULL };

const char *dnsb_frag_policy_name(unsigned v)
{
	return v < 4 ? frag_policy_names[v] : "?";
}
static const char *const diag_keys[] = { "min_samples", "min_tcp", "loss_percent", NULL };
static const char *const port_keys[] = { "name", "device", NULL };
static const char *const pair_keys[] = { "client", "server", NULL };
static const char *const mempool_keys[] = { "mbufs", "cache", "data_room", NULL };
static const char *const dns_keys[] = { "ports", "edns_clamp", "edns_floor", "oversize",
					"path_limit", "tcp_mss_clamp", "query_table_size",
					"query_timeout_ms", "flow_timeout_ms", "track", NULL };
static const char *const oversize_names[] = { "truncate", "pass", "drop" };

const char *dnsb_oversize_name(unsigned v)
{
	return v < 3 ? oversize_names[v] : "?";
}

/* dns.track: an array of what correlation tracks, each name once;
 * retries only with queries (the match of an answer ends their wait). */
static int load_track(struct ctx *x, const config_setting_t *g, struct dnsb_config *c)
{
	const config_setting_t *s = config_setting_get_member(g, "track");
	if (!s)
		return 0;
	if (!config_setting_is_array(s))
		return fail(x, s, "dns.track must be an array of \"queries\", \"retries\", "
				  "\"flows\" ([] tracks nothing)");
	unsigned track = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(x, e, "dns.track entry %d must be a string", i);
		const char *v = config_setting_get_string(e);
		unsigned b = dnsb_track_bit(v);
		if (!b)
			return fail(x, e, "dns.track: \"%s\" is not one of \"queries\", \"retries\", "
					  "\"flows\"", v);
		if (track & b)
			return fail(x, e, "dns.track names \"%s\" twice", v);
		track |= b;
	}
	if (!dnsb_track_ok(track))
		return fail(x, s, "dns.track: \"retries\" needs \"queries\" (an answer matched to "
				  "its query ends a question's wait)");
	c->untrack = (uint8_t)(DNSB_TRACK_ALL & ~track);
	return 0;
}

static int load_eal(struct ctx *x, const config_setting_t *root, struct dnsb_config *c)
{
	const config_setting_t *s = config_setting_get_member(root, "eal");
	if (!s)
		return 0;
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return fail(x, s, "eal must be a list of strings");
	if (config_setting_length(s) > DNSB_MAX_EAL_ARGS)
		return fail(x, s, "eal has more than %d arguments", DNSB_MAX_EAL_ARGS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(x, e, "eal argument %d must be a string", i);
		c->eal[c->n_eal] = strdup(config_setting_get_string(e));
		if (!c->eal[c->n_eal])
			return fail(x, e, "out of memory");
		c->n_eal++;
	}
	return 0;
}

static int find_port(const struct dnsb_config *c, const char *name)
{
	for (unsigned i = 0; i < c->n_ports; i++)
		if (!strcmp(c->ports[i].name, name))
			return (int)i;
	return -1;
}

static int load_ports(struct ctx *x, const config_setting_t *root, struct dnsb_config *c)
{
	const config_setting_t *s = config_setting_get_member(root, "ports");
	if (!s)
		return 0;
	if (!config_setting_is_list(s))
		return fail(x, s, "ports must be a list of groups ( { name = ...; device = ...; } )");
	if (config_setting_length(s) > DNSB_MAX_PORTS)
		return fail(x, s, "more than %d ports", DNSB_MAX_PORTS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *p = config_setting_get_elem(s, (unsigned)i);
		struct dnsb_port_cfg *pc = &c->ports[c->n_ports];
		if (!config_setting_is_group(p))
			return fail(x, p, "ports entry %d must be a group", i);
		if (check_keys(x, p, "a port", port_keys) ||
		    get_string(x, p, "name", 1, pc->name, sizeof(pc->name)) ||
		    get_string(x, p, "device", 1, pc->device, sizeof(pc->device)))
			return -1;
		for (const char *ch = pc->name; *ch; ch++)
			if (!((*ch >= 'a' && *ch <= 'z') || (*ch >= '0' && *ch <= '9') || *ch == '_' ||
			      *ch == '-'))
				return fail(x, config_setting_get_member(p, "name"),
					    "port name '%s': use a-z, 0-9, '_' and '-'", pc->name);
		if (find_port(c, pc->name) >= 0)
			return fail(x, p, "port name '%s' used twice", pc->name);
		for (unsigned k = 0; k < c->n_ports; k++)
			if (!strcmp(c->ports[k].device, pc->device))
				return fail(x, p, "device '%s' used by two ports", pc->device);
		c->n_ports++;
	}
	return 0;
}

static int load_pairs(struct ctx *x, const config_setting_t *root, struct dnsb_config *c)
{
	const config_setting_t *s = config_setting_get_member(root, "pairs");
	if (!s)
		return 0;
	if (!config_setting_is_list(s))
		return fail(x, s, "pairs must be a list of groups ( { client = ...; server = ...; } )");
	if (config_setting_length(s) > DNSB_MAX_PAIRS)
		return fail(x, s, "more than %d pairs", DNSB_MAX_PAIRS);
	int used[DNSB_MAX_PORTS] = { 0 };
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *p = config_setting_get_elem(s, (unsigned)i);
		char cn[DNSB_NAME_LEN], sn[DNSB_NAME_LEN];
		if (!config_setting_is_group(p))
			return fail(x, p, "pairs entry %d must be a group", i);
		if (check_keys(x, p, "a pair", pair_keys) ||
		    get_string(x, p, "client", 1, cn, sizeof(cn)) ||
		    get_string(x, p, "server", 1, sn, sizeof(sn)))
			return -1;
		int ci = find_port(c, cn), si = find_port(c, sn);
		if (ci < 0)
			return fail(x, config_setting_get_member(p, "client"), "no port named '%s'", cn);
		if (si < 0)
			return fail(x, config_setting_get_member(p, "server"), "no port named '%s'", sn);
		if (ci == si)
			return fail(x, p, "a pair needs two different ports");
		if (used[ci] || used[si])
			return fail(x, p, "port '%s' is already in a pair", used[ci] ? cn : sn);
		used[ci] = used[si] = 1;
		c->pairs[c->n_pairs].client = (uint8_t)ci;
		c->pairs[c->n_pairs].server = (uint8_t)si;
		c->n_pairs++;
	}
	for (unsigned i = 0; i < c->n_ports; i++)
		if (!used[i])
			return fail(x, s, "port '%s' is in no pair", c->ports[i].name);
	return 0;
}

static int load_workers(struct ctx *x, const config_setting_t *root, struct dnsb_config *c)
{
	const config_setting_t *s = config_setting_get_member(root, "workers");
	if (!s)
		return 0;
	if (!config_setting_is_array(s) || config_setting_length(s) == 0)
		return fail(x, s, "workers must be a non-empty array of lcore ids, e.g. [1]");
	if (config_setting_length(s) > DNSB_MAX_WORKERS)
		return fail(x, s, "more than %d workers", DNSB_MAX_WORKERS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (!is_int(e))
			return fail(x, e, "worker lcore ids are integers");
		long long v = config_setting_get_int64(e);
		if (v < 0 || v >= 128)
			return fail(x, e, "worker lcore %lld is out of range (0..127)", v);
		for (unsigned k = 0; k < c->n_workers; k++)
			if (c->workers[k] == (unsigned)v)
				return fail(x, e, "worker lcore %lld listed twice", v);
		c->workers[c->n_workers++] = (unsigned)v;
	}
	return 0;
}

static int load_dns(struct ctx *x, const config_setting_t *root, struct dnsb_config *c)
{
	const config_setting_t *g = config_setting_get_member(root, "dns");
	struct dnsb_policy *p = &c->policy;
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return fail(x, g, "dns must be a group");
	if (check_keys(x, g, "dns", dns_keys))
		return -1;
	const config_setting_t *ports = config_setting_get_member(g, "ports");
	if (ports) {
		if (!config_setting_is_array(ports) || config_setting_length(ports) < 1 ||
		    config_setting_length(ports) > DNSB_MAX_DNS_PORTS)
			return fail(x, ports, "dns.ports must be an array of 1 to %d ports",
				    DNSB_MAX_DNS_PORTS);
		p->n_dns_ports = 0;
		for (int i = 0; i < config_setting_length(ports); i++) {
			const config_setting_t *e = config_setting_get_elem(ports, (unsigned)i);
			long long v = is_int(e) ? config_setting_get_int64(e) : -1;
			if (v < 1 || v > 65535)
				return fail(x, e, "DNS port must be 1..65535");
			p->dns_ports[p->n_dns_ports++] = (uint16_t)v;
		}
	}
	if (get_u16(x, g, "edns_clamp", 512, 65535, 1, &p->edns_max) ||
	    get_u16(x, g, "edns_floor", 512, 65535, 1, &p->edns_floor) ||
	    get_u16(x, g, "path_limit", 512, 65535, 1, &p->path_limit) ||
	    get_u16(x, g, "tcp_mss_clamp", 536, 65535, 1, &p->tcp_mss) ||
	    get_uint(x, g, "query_table_size", 256, 1u << 24, 0, &c->query_table_size) ||
	    get_uint(x, g, "query_timeout_ms", 100, 60000, 0, &c->query_timeout_ms) ||
	    get_uint(x, g, "flow_timeout_ms", 1000, 3600000, 0, &c->flow_timeout_ms))
		return -1;
	if (load_track(x, g, c))
		return -1;
	if (!is_pow2(c->query_table_size))
		return fail(x, config_setting_get_member(g, "query_table_size"),
			    "query_table_size = %u must be a power of two", c->query_table_size);
	if (p->edns_max && p->edns_floor > p->edns_max)
		return fail(x, config_setting_get_member(g, "edns_floor"),
			    "edns_floor %u is above edns_clamp %u", p->edns_floor, p->edns_max);
	const config_setting_t *o = config_setting_get_member(g, "oversize");
	if (o) {
		const char *v = config_setting_type(o) == CONFIG_TYPE_STRING ? config_setting_get_string(o)
									      : "";
		unsigned i = 0;
		while (i < 3 && strcmp(v, oversize_names[i]))
			i++;
		if (i == 3)
			return fail(x, o, "oversize must be \"truncate\", \"pass\" or \"drop\"");
		p->oversize = (uint8_t)i;
	}
	return 0;
}

void dnsb_config_defaults(struct dnsb_config *c)
{
	memset(c, 0, sizeof(*c));
	dnsb_policy_default(&c->policy);
	c->mbufs = 8191;
	c->mbuf_cache = 256;
	c->data_room = 2048 + 128;
	c->burst = 32;
	c->rx_desc = 1024;
	c->tx_desc = 1024;
	c->drain_us = 100;
	c->query_table_size = 65536;
	c->query_timeout_ms = 5000;
	c->flow_timeout_ms = 30000;
	c->frag_table_size = 256;
	c->frag_max_datagram = 16384;
	c->frag_max_fragments = 64;
	c->frag_timeout_ms = 2000;
	dnsb_diag_defaults(&c->diag);
}

int dnsb_config_load(const char *path, int need_ports, struct dnsb_config *c, char *err,
		     size_t errlen)
{
	struct ctx x = { path, err, errlen };
	config_t cfg;
	int rc = -1;

	dnsb_config_defaults(c);
	snprintf(c->path, sizeof(c->path), "%s", path);
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s:0: cannot read the file", path);
		else
			snprintf(err, errlen, "%s:%d: %s",
				 config_error_file(&cfg) ? config_error_file(&cfg) : path,
				 config_error_line(&cfg), config_error_text(&cfg));
		goto out;
	}
	const config_setting_t *root = config_root_setting(&cfg);
	const config_setting_t *mp = config_setting_get_member(root, "mempool");
	if (check_keys(&x, root, "the top level", top_keys) || load_eal(&x, root, c) ||
	    load_ports(&x, root, c) || load_pairs(&x, root, c) || load_workers(&x, root, c) ||
	    load_dns(&x, root, c) || load_emulate(&x, root, &c->policy))
		goto out;
	if (mp && (!config_setting_is_group(mp) || check_keys(&x, mp, "mempool", mempool_keys) ||
		   get_uint(&x, mp, "mbufs", 1023, 1u << 24, 0, &c->mbufs) ||
		   get_uint(&x, mp, "cache", 0, 512, 1, &c->mbuf_cache) ||
		   get_uint(&x, mp, "data_room", 1024, 65535, 0, &c->data_room)))
		goto out;
	const config_setting_t *fg = config_setting_get_member(root, "fragments");
	if (fg && (!config_setting_is_group(fg) || check_keys(&x, fg, "fragments", frag_keys) ||
		   get_uint(&x, fg, "table_size", 16, 1u << 20, 1, &c->frag_table_size) ||
		   get_uint(&x, fg, "max_datagram", 1232, 65535, 0, &c->frag_max_datagram) ||
		   get_uint(&x, fg, "max_fragments", 2, 1024, 0, &c->frag_max_fragments) ||
		   get_uint(&x, fg, "timeout_ms", 100, 60000, 0, &c->frag_timeout_ms)))
		goto out;
	if (fg && c->frag_table_size && !is_pow2(c->frag_table_size)) {
		fail(&x, config_setting_get_member(fg, "table_size"),
		     "fragments.table_size = %u must be a power of two", c->frag_table_size);
		goto out;
	}
	if (fg && (get_enum(&x, fg, "to_client", frag_policy_names, &c->policy.frag_to_client) ||
		   get_enum(&x, fg, "to_server", frag_policy_names, &c->policy.frag_to_server) ||
		   get_u16(&x, fg, "client_mtu", 576, 65535, 0, &c->policy.mtu_client) ||
		   get_u16(&x, fg, "server_mtu", 576, 65535, 0, &c->policy.mtu_server)))
		goto out;
	if (c->policy.frag_to_server == DNSB_FRAG_TRUNCATE) {
		fail(&x, config_setting_get_member(fg, "to_server"),
		     "fragments.to_server cannot be \"truncate\" (a TC answer goes to clients)");
		goto out;
	}
	if ((c->policy.frag_to_client || c->policy.frag_to_server) && !c->frag_table_size) {
		fail(&x, config_setting_get_member(fg, "table_size"),
		     "fragments.table_size = 0 turns reassembly off: the policies other than "
		     "\"pass\" need it");
		goto out;
	}
	const config_setting_t *dg = config_setting_get_member(root, "diag");
	if (dg && (!config_setting_is_group(dg) || check_keys(&x, dg, "diag", diag_keys) ||
		   get_uint(&x, dg, "min_samples", 1, 1000000, 0, &c->diag.min_samples) ||
		   get_uint(&x, dg, "min_tcp", 1, 1000000, 0, &c->diag.min_tcp) ||
		   get_uint(&x, dg, "loss_percent", 1, 100, 0, &c->diag.loss_percent)))
		goto out;
	c->diag.untrack = c->untrack; /* what the findings cannot see */
	if (get_bool(&x, root, "io_only", &c->io_only) ||
	    get_uint(&x, root, "burst", 1, DNSB_MAX_BURST, 0, &c->burst) ||
	    get_uint(&x, root, "rx_desc", 64, 4096, 0, &c->rx_desc) ||
	    get_uint(&x, root, "tx_desc", 64, 4096, 0, &c->tx_desc) ||
	    get_uint(&x, root, "drain_us", 1, 100000, 0, &c->drain_us))
		goto out;
	if (need_ports) {
		if (!c->n_pairs) {
			fail(&x, root, "no pairs: live mode needs ports and pairs (or use --read)");
			goto out;
		}
		if (!c->n_workers) {
			fail(&x, root, "no workers: give worker lcores, e.g. workers = [1];");
			goto out;
		}
	}
	rc = 0;
out:
	config_destroy(&cfg);
	if (rc)
		dnsb_config_free(c);
	return rc;
}

void dnsb_config_free(struct dnsb_config *c)
{
	for (unsigned i = 0; i < c->n_eal; i++)
		free(c->eal[i]);
	c->n_eal = 0;
}
