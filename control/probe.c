/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsbump-probe: ask a DNS path directly whether it carries DNSSEC. Every
 * message is built, sent and parsed with ldns; UDP answers are read with
 * their source address (an unconnected socket), so an answer from another
 * address is seen, not silently dropped by the kernel.
 *
 *   dnsbump-probe [options] SERVER[,SERVER6] ZONE
 *   dnsbump-probe --make-zone ZONE [--min N --max N --step N --ttl N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "probe_ladder.h"
#include "probe_report.h"

struct probe {
	struct sockaddr_storage to;
	socklen_t tolen;
	struct probe_family *fam;
	const char *zone;
	unsigned timeout_ms;
	unsigned retries;
	unsigned bufsize;
	uint16_t port;
	int verbose;
};

struct answer {
	ldns_pkt *pkt;     /**< NULL: nothing (or nothing parseable) arrived */
	size_t size;       /**< octets received */
};

static uint16_t next_id(void)
{
	static unsigned state;
	if (!state)
		state = (unsigned)time(NULL) ^ (unsigned)getpid() << 16;
	state = state * 1103515245u + 12345u;
	return (uint16_t)(state >> 8);
}

/* The query in wire form: no RD (servers are asked directly), EDNS with
 * @p bufsize (0: no OPT) and DO as asked. */
static ldns_buffer *make_query(const char *name, ldns_rr_type type, unsigned bufsize, int do_bit,
			       uint16_t *id)
{
	ldns_rdf *qname = ldns_dname_new_frm_str(name);
	if (!qname)
		return NULL;
	ldns_pkt *q = ldns_pkt_query_new(qname, type, LDNS_RR_CLASS_IN, 0);
	if (!q)
		return NULL;
	*id = next_id();
	ldns_pkt_set_id(q, *id);
	if (bufsize) {
		ldns_pkt_set_edns_udp_size(q, (uint16_t)bufsize);
		ldns_pkt_set_edns_do(q, do_bit);
	}
	ldns_buffer *b = ldns_buffer_new(512);
	if (b && ldns_pkt2buffer_wire(b, q) != LDNS_STATUS_OK) {
		ldns_buffer_free(b);
		b = NULL;
	}
	ldns_pkt_free(q);
	return b;
}

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_addr.s_addr == y->sin_addr.s_addr && x->sin_port == y->sin_port;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return !memcmp(&x->sin6_addr, &y->sin6_addr, 16) && x->sin6_port == y->sin6_port;
}

static void addr_str(const struct sockaddr_storage *a, char *out, size_t len)
{
	const void *p = a->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
						: (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;
	if (!inet_ntop(a->ss_family, p, out, (socklen_t)len))
		snprintf(out, len, "?");
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Does @p pkt answer query @p id for @p name? */
static int answers(ldns_pkt *pkt, uint16_t id, const char *name)
{
	if (ldns_pkt_id(pkt) != id || !ldns_pkt_qr(pkt))
		return 0;
	ldns_rr_list *qs = ldns_pkt_question(pkt);
	if (ldns_rr_list_rr_count(qs) == 0)
		return ldns_pkt_tc(pkt); /* a TC answer may come without question */
	ldns_rdf *want = ldns_dname_new_frm_str(name);
	int ok = want && ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(qs, 0)), want) == 0;
	ldns_rdf_deep_free(want);
	return ok;
}

/* One UDP question with retries; the answer whatever its source address
 * (a mismatch is recorded). */
static struct answer udp_ask(struct probe *p, const char *name, ldns_rr_type type, unsigned bufsize,
			     int do_bit)
{
	struct answer a = { NULL, 0 };
	uint16_t id;
	ldns_buffer *q = make_query(name, type, bufsize, do_bit, &id);
	struct timeval tv = { (time_t)(p->timeout_ms / 1000), (suseconds_t)(p->timeout_ms % 1000) * 1000 };
	if (!q)
		return a;
	int fd = ldns_udp_connect2(&p->to, tv);
	if (fd < 0) {
		ldns_buffer_free(q);
		return a;
	}
	for (unsigned attempt = 0; attempt <= p->retries && !a.pkt; attempt++) {
		if (ldns_udp_send_query(q, fd, &p->to, p->tolen) <= 0)
			break;
		long long deadline = now_ms() + p->timeout_ms;
		while (!a.pkt) {
			long long left = deadline - now_ms();
			struct pollfd pfd = { fd, POLLIN, 0 };
			if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
				break;
			struct sockaddr_storage from;
			socklen_t fromlen = sizeof(from);
			size_t size = 0;
			uint8_t *wire = ldns_udp_read_wire(fd, &size, &from, &fromlen);
			if (!wire)
				continue;
			ldns_pkt *pkt = NULL;
			if (ldns_wire2pkt(&pkt, wire, size) == LDNS_STATUS_OK && answers(pkt, id, name)) {
				if (!same_addr(&from, &p->to)) {
					p->fam->addr_mismatch = 1;
					addr_str(&from, p->fam->addr_seen, sizeof(p->fam->addr_seen));
				}
				a.pkt = pkt;
				a.size = size;
			} else {
				ldns_pkt_free(pkt);
			}
			LDNS_FREE(wire);
		}
	}
	close(fd);
	ldns_buffer_free(q);
	if (p->verbose)
		fprintf(stderr, "probe: %s type %d bufsize %u DO=%d: %s (%zu octets)\n", name, type,
			bufsize, do_bit, a.pkt ? (ldns_pkt_tc(a.pkt) ? "truncated" : "answer") : "lost",
			a.size);
	return a;
}

/* Connect to TCP/53 telling a reset from silence. */
static int tcp_connect(struct probe *p, enum probe_tcp *why)
{
	int fd = socket(p->to.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		*why = PT_BAD;
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, (const struct sockaddr *)&p->to, p->tolen) == 0)
		goto connected;
	if (errno != EINPROGRESS) {
		*why = errno == ECONNREFUSED ? PT_REFUSED : PT_BAD;
		goto fail;
	}
	for (unsigned attempt = 0; attempt <= p->retries; attempt++) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		int n = poll(&pfd, 1, (int)p->timeout_ms);
		if (n < 0)
			break;
		if (n == 0)
			continue; /* the kernel retransmits the SYN meanwhile */
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (!err)
			goto connected;
		*why = err == ECONNREFUSED ? PT_REFUSED : err == ETIMEDOUT ? PT_TIMEOUT : PT_BAD;
		goto fail;
	}
	*why = PT_TIMEOUT;
fail:
	close(fd);
	return -1;
connected:
	fcntl(fd, F_SETFL, 0);
	return fd;
}

static void tcp_ask(struct probe *p, const char *name, ldns_rr_type type)
{
	struct probe_family *f = p->fam;
	uint16_t id;
	f->tcp = PT_BAD;
	ldns_buffer *q = make_query(name, type, 1232, 0, &id);
	if (!q)
		return;
	int fd = tcp_connect(p, &f->tcp);
	if (fd >= 0) {
		struct timeval tv = { (time_t)(p->timeout_ms / 1000),
				      (suseconds_t)(p->timeout_ms % 1000) * 1000 };
		size_t size = 0;
		uint8_t *wire = NULL;
		f->tcp = PT_STALLED;
		if (ldns_tcp_send_query(q, fd, &p->to, p->tolen) > 0)
			wire = ldns_tcp_read_wire_timeout(fd, &size, tv);
		if (wire) {
			ldns_pkt *pkt = NULL;
			if (ldns_wire2pkt(&pkt, wire, size) == LDNS_STATUS_OK && answers(pkt, id, name) &&
			    ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR && !ldns_pkt_tc(pkt)) {
				f->tcp = PT_OK;
				f->tcp_got = (unsigned)size;
			} else {
				f->tcp = PT_BAD;
			}
			ldns_pkt_free(pkt);
			LDNS_FREE(wire);
		}
		close(fd);
	}
	ldns_buffer_free(q);
}

static int has_type(ldns_pkt *pkt, ldns_rr_type t)
{
	ldns_rr_list *l = ldns_pkt_answer(pkt);
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t)
			return 1;
	return 0;
}

/* Outcome of an answer for the ladder: the whole TXT, TC, or wrong. */
static enum probe_outcome judge(const struct answer *a, unsigned *got)
{
	*got = (unsigned)a->size;
	if (!a->pkt)
		return PROBE_LOST;
	if (ldns_pkt_tc(a->pkt))
		return PROBE_TRUNCATED;
	if (ldns_pkt_get_rcode(a->pkt) != LDNS_RCODE_NOERROR || !has_type(a->pkt, LDNS_RR_TYPE_TXT))
		return PROBE_ERROR;
	return PROBE_ARRIVED;
}

struct rung_ctx {
	struct probe *p;
	int do_bit;
	unsigned bufsize;
};

static void rung_name(const struct probe *p, unsigned size, char *out, size_t len)
{
	char label[16];
	probe_ladder_label(size, label, sizeof(label));
	snprintf(out, len, "%s.%s", label, p->zone);
}

static enum probe_outcome try_rung(void *ctx, unsigned size, unsigned *got)
{
	struct rung_ctx *c = ctx;
	char name[300];
	rung_name(c->p, size, name, sizeof(name));
	struct answer a = udp_ask(c->p, name, LDNS_RR_TYPE_TXT, c->bufsize, c->do_bit);
	enum probe_outcome o = judge(&a, got);
	ldns_pkt_free(a.pkt);
	return o;
}

/* The _ladder TXT: its strings joined. */
static int read_ladder(struct probe *p, struct probe_ladder *l)
{
	char name[300], text[512] = "";
	snprintf(name, sizeof(name), "_ladder.%s", p->zone);
	struct answer a = udp_ask(p, name, LDNS_RR_TYPE_TXT, 1232, 0);
	int rc = -1;
	if (a.pkt) {
		ldns_rr_list *ans = ldns_pkt_answer(a.pkt);
		for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
			ldns_rr *rr = ldns_rr_list_rr(ans, i);
			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
				continue;
			for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
				ldns_rdf *rd = ldns_rr_rdf(rr, k);
				size_t n = ldns_rdf_size(rd), have = strlen(text);
				if (n > 1 && have + n < sizeof(text)) {
					memcpy(text + have, ldns_rdf_data(rd) + 1, n - 1);
					text[have + n - 1] = 0;
				}
			}
		}
		rc = probe_ladder_parse(l, text);
	}
	ldns_pkt_free(a.pkt);
	return rc;
}

static void probe_family(struct probe *p, struct probe_result *r)
{
	struct probe_family *f = p->fam;
	struct answer a = udp_ask(p, p->zone, LDNS_RR_TYPE_SOA, 1232, 0);
	f->edns_opt = f->signed_zone = f->do_answered = -1;
	f->tcp = PT_NOT_RUN;
	f->tc512 = f->toobig = PROBE_LOST;
	if (!a.pkt)
		return;
	f->reachable = 1;
	f->edns_opt = ldns_pkt_edns(a.pkt) ? 1 : 0;
	ldns_pkt_free(a.pkt);

	a = udp_ask(p, p->zone, LDNS_RR_TYPE_DNSKEY, 512, 0);
	if (a.pkt)
		f->signed_zone = ldns_pkt_tc(a.pkt) || has_type(a.pkt, LDNS_RR_TYPE_DNSKEY);
	ldns_pkt_free(a.pkt);

	a = udp_ask(p, p->zone, LDNS_RR_TYPE_SOA, 1232, 1);
	f->do_answered = a.pkt != NULL;
	if (a.pkt) {
		f->do_bit = ldns_pkt_edns_do(a.pkt);
		f->do_rrsig = has_type(a.pkt, LDNS_RR_TYPE_RRSIG);
	}
	ldns_pkt_free(a.pkt);

	if (!r->ladder_announced && read_ladder(p, &r->ladder) == 0)
		r->ladder_announced = 1;
	/* The ladder is there if its smallest rung answers with a TXT. */
	unsigned got;
	struct rung_ctx c0 = { p, 0, p->bufsize }, c1 = { p, 1, p->bufsize };
	enum probe_outcome first = try_rung(&c0, r->ladder.size[0], &got);
	f->ladder = first != PROBE_ERROR;
	if (f->ladder) {
		probe_ladder_search(&r->ladder, try_rung, &c0, &f->do0);
		probe_ladder_search(&r->ladder, try_rung, &c1, &f->do1);
		/* A rung above any size limit of interest: the nearest to 2000. */
		f->big = r->ladder.size[0];
		for (unsigned i = 0; i < r->ladder.n; i++) {
			unsigned s = r->ladder.size[i];
			if ((s > f->big && f->big < 2000) || (s >= 2000 && s < f->big))
				f->big = s;
		}
		struct rung_ctx t512 = { p, 0, 512 }, t1232 = { p, 0, 1232 };
		f->tc512 = try_rung(&t512, f->big, &f->tc512_got);
		f->toobig = try_rung(&t1232, f->big, &f->toobig_got);
		char name[300];
		rung_name(p, f->big, name, sizeof(name));
		tcp_ask(p, name, LDNS_RR_TYPE_TXT);
	} else {
		tcp_ask(p, p->zone, LDNS_RR_TYPE_SOA);
	}
}

static int parse_server(const char *s, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 4;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 6;
	}
	return 0;
}

static void usage(FILE *o)
{
	fprintf(o,
		"usage: dnsbump-probe [options] SERVER[,SERVER] ZONE\n"
		"       dnsbump-probe --make-zone ZONE [--min N] [--max N] [--step N] [--ttl N]\n"
		"Ask the path to SERVER (an IPv4 and/or an IPv6 address, comma-separated) for\n"
		"answers of the reply-size ladder of ZONE and judge each checkpoint.\n"
		"  --json           machine-readable report\n"
		"  --timeout MS     per question (default 1500)\n"
		"  --retries N      resends of an unanswered UDP question (default 1)\n"
		"  --bufsize N      EDNS size advertised for the ladder (default 4096)\n"
		"  --port N         server port (default 53)\n"
		"  --verbose        every question on stderr\n"
		"  --make-zone ZONE write the ladder records for ZONE (zone-file syntax) to stdout\n"
		"Exit: 0 DNSSEC-safe path, 1 not safe, 2 bad usage, 3 no answer at all.\n");
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' },          { "timeout", required_argument, 0, 't' },
		{ "retries", required_argument, 0, 'r' }, { "bufsize", required_argument, 0, 'b' },
		{ "port", required_argument, 0, 'p' },    { "verbose", no_argument, 0, 'v' },
		{ "make-zone", required_argument, 0, 'z' }, { "min", required_argument, 0, 'm' },
		{ "max", required_argument, 0, 'M' },     { "step", required_argument, 0, 's' },
		{ "ttl", required_argument, 0, 'T' },     { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	unsigned timeout = 1500, retries = 1, bufsize = 4096, port = 53, ttl = 300;
	unsigned min = 400, max = 4000, step = 100;
	int json = 0, verbose = 0, c;
	const char *make_zone = NULL;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		case 't': bad = parse_uint(optarg, 50, 60000, &timeout); break;
		case 'r': bad = parse_uint(optarg, 0, 10, &retries); break;
		case 'b': bad = parse_uint(optarg, 512, 65535, &bufsize); break;
		case 'p': bad = parse_uint(optarg, 1, 65535, &port); break;
		case 'z': make_zone = optarg; break;
		case 'm': bad = parse_uint(optarg, 100, 65000, &min); break;
		case 'M': bad = parse_uint(optarg, 100, 65000, &max); break;
		case 's': bad = parse_uint(optarg, 1, 65000, &step); break;
		case 'T': bad = parse_uint(optarg, 0, 604800, &ttl); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (bad) {
			fprintf(stderr, "dnsbump-probe: value out of range: %s\n", optarg);
			return 2;
		}
	}
	struct probe_result r;
	memset(&r, 0, sizeof(r));
	/* Sizes that matter, on top of the steps: no fragments on a 1280 path
	 * (1232), the largest unfragmented IPv6 and IPv4 answers at 1500. */
	static const unsigned extra[] = { 1232, 1452, 1472 };
	unsigned ex[3], k = 0;
	for (unsigned i = 0; i < 3; i++)
		if (extra[i] >= min && extra[i] <= max)
			ex[k++] = extra[i];
	if (probe_ladder_set(&r.ladder, min, max, step, ex, k)) {
		fprintf(stderr, "dnsbump-probe: ladder %u..%u step %u: at most %d sizes\n", min, max,
			step, PROBE_LADDER_MAX);
		return 2;
	}
	if (make_zone) {
		if (optind != argc) {
			usage(stderr);
			return 2;
		}
		if (probe_ladder_write_zone(&r.ladder, make_zone, ttl, stdout)) {
			fprintf(stderr, "dnsbump-probe: %u octets is too small an answer for names in %s\n",
				min, make_zone);
			return 2;
		}
		return 0;
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	snprintf(r.zone, sizeof(r.zone), "%s", argv[optind + 1]);
	size_t zl = strlen(r.zone);
	if (zl > 1 && r.zone[zl - 1] == '.')
		r.zone[zl - 1] = 0;
	char servers[256];
	snprintf(servers, sizeof(servers), "%s", argv[optind]);
	struct probe p[2];
	memset(p, 0, sizeof(p));
	for (char *save = NULL, *s = strtok_r(servers, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		struct sockaddr_storage ss;
		socklen_t len;
		int fam = parse_server(s, (uint16_t)port, &ss, &len);
		int i = fam == 6;
		if (!fam || r.fam[i].tested) {
			fprintf(stderr, "dnsbump-probe: SERVER must be one IPv4 and/or one IPv6 address: %s\n", s);
			return 2;
		}
		r.fam[i].tested = 1;
		snprintf(r.fam[i].server, sizeof(r.fam[i].server), "%s", s);
		p[i] = (struct probe){ ss, len, &r.fam[i], r.zone, timeout, retries, bufsize,
				       (uint16_t)port, verbose };
	}
	for (int i = 0; i < 2; i++)
		if (r.fam[i].tested)
			probe_family(&p[i], &r);
	struct probe_judgement j;
	probe_judge(&r, &j);
	if (json)
		probe_print_json(stdout, &r, &j);
	else
		probe_print_text(stdout, &r, &j);
	return probe_exit_status(&r, &j);
}
