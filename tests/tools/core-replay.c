/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * core-replay: run the packet core alone (no DPDK) over a pcap file and
 * write what the bump would send. Direction comes from the DNS port. For
 * embedding checks, tests and the demo; the daemon's offline mode runs
 * the same core through DPDK's pcap driver. --burst N: the engine's frames
 * in bursts of N, in two passes as the daemon's worker has them run
 * (dnsb_engine_burst), which must give exactly
 * what one frame at a time gives.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "engine.h"
#include "engine_cfg.h"
#include "pcap_io.h"

#define BURST_MAX 64
#define FRAME_MAX 65536

static void usage(FILE *o)
{
	fprintf(o, "usage: core-replay -r IN.pcap [-w OUT.pcap] [--clamp N] [--floor N]\n"
		   "                   [--path-limit N] [--oversize truncate|pass|drop] [--json]\n"
		   "                   [--engine [--frag-to-client P] [--frag-to-server P]\n"
		   "                    [--client-mtu N] [--server-mtu N] [--burst N]\n"
		   "                    [--track none|T[,T...]]]\n"
		   "  P: pass, reassemble, truncate, drop; --burst: 1..%d frames a burst\n"
		   "  T: queries, retries, flows (dns.track; default all three)\n",
		BURST_MAX);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "clamp", required_argument, 0, 'c' },   { "floor", required_argument, 0, 'f' },
		{ "path-limit", required_argument, 0, 'p' }, { "oversize", required_argument, 0, 'o' },
		{ "json", no_argument, 0, 'j' },         { "help", no_argument, 0, 'h' },
		{ "engine", no_argument, 0, 'e' },
		{ "frag-to-client", required_argument, 0, 'C' },
		{ "frag-to-server", required_argument, 0, 'S' },
		{ "client-mtu", required_argument, 0, 'M' },
		{ "server-mtu", required_argument, 0, 'N' },
		{ "burst", required_argument, 0, 'b' },
		{ "track", required_argument, 0, 'T' },
		{ 0, 0, 0, 0 },
	};
	const char *in = NULL, *out = NULL;
	struct dnsb_policy pol;
	int json = 0, use_engine = 0, track_given = 0, c;
	uint16_t burst = 1;
	uint8_t untrack = 0;

	dnsb_policy_default(&pol);
	while ((c = getopt_long(argc, argv, "r:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': in = optarg; break;
		case 'w': out = optarg; break;
		case 'c': if (tool_parse_u16(optarg, &pol.edns_max)) goto bad; break;
		case 'f': if (tool_parse_u16(optarg, &pol.edns_floor)) goto bad; break;
		case 'p': if (tool_parse_u16(optarg, &pol.path_limit)) goto bad; break;
		case 'T':
			if (tool_parse_track(optarg, &untrack)) goto bad;
			track_given = 1;
			break;
		case 'j': json = 1; break;
		case 'e': use_engine = 1; break;
		case 'C': if (tool_parse_frag(optarg, &pol.frag_to_client)) goto bad; break;
		case 'S': if (tool_parse_frag(optarg, &pol.frag_to_server)) goto bad; break;
		case 'M': if (tool_parse_u16(optarg, &pol.mtu_client)) goto bad; break;
		case 'N': if (tool_parse_u16(optarg, &pol.mtu_server)) goto bad; break;
		case 'b':
			if (tool_parse_u16(optarg, &burst) || !burst || burst > BURST_MAX) goto bad;
			break;
		case 'o':
			if (!strcmp(optarg, "truncate")) pol.oversize = DNSB_OVERSIZE_TRUNCATE;
			else if (!strcmp(optarg, "pass")) pol.oversize = DNSB_OVERSIZE_PASS;
			else if (!strcmp(optarg, "drop")) pol.oversize = DNSB_OVERSIZE_DROP;
			else goto bad;
			break;
		case 'h': usage(stdout); return 0;
		default: goto bad;
		}
	}
	if (!in || optind != argc || (track_given && !use_engine))
		goto bad; /* the stateless core tracks nothing */

	struct pcap_file pf;
	if (pcap_read_all(in, &pf) != 0)
		return 1;
	FILE *w = out ? pcap_write_open(out) : NULL;
	if (out && !w) {
		perror(out);
		return 1;
	}
	static uint8_t buf[BURST_MAX][FRAME_MAX + 256];
	/* --engine: the per-lcore engine (correlation, reassembly) as the
	 * daemon runs it, instead of the stateless core. */
	struct dnsb_engine eng;
	struct dnsb_engine_cfg ecfg = tool_engine_cfg(65536, 1);
	ecfg.untrack = untrack;
	void *emem = use_engine ? malloc(dnsb_engine_mem(&ecfg)) : NULL;
	if (use_engine && (!emem || dnsb_engine_init(&eng, &pol, emem, &ecfg))) {
		fprintf(stderr, "core-replay: no memory for the engine\n");
		return 1;
	}
	uint64_t count[DNSB_R__END] = { 0 }, verdicts[5] = { 0 }, emitted = 0;
	static struct dnsb_bframe bf[BURST_MAX];
	for (uint32_t i0 = 0; i0 < pf.n; i0 += burst) {
		uint32_t n = pf.n - i0 < burst ? pf.n - i0 : burst;
		for (uint32_t k = 0; k < n; k++) {
			const struct pcap_pkt *p = &pf.pkts[i0 + k];
			if (p->len > FRAME_MAX) {
				fprintf(stderr, "core-replay: frame %u over %d octets\n", i0 + k, FRAME_MAX);
				return 1;
			}
			memcpy(buf[k], p->data, p->len);
			/* Direction from the port: to a DNS port is toward the servers. */
			struct dnsb_pkt v;
			enum dnsb_dir dir = DNSB_DIR_UNKNOWN;
			if (dnsb_pkt_parse(buf[k], p->len, &v) == DNSB_R_OK && v.has_l4)
				dir = dnsb_policy_is_dns_port(&pol, v.dport) ? DNSB_DIR_TO_SERVER
				    : dnsb_policy_is_dns_port(&pol, v.sport) ? DNSB_DIR_TO_CLIENT
									 : DNSB_DIR_UNKNOWN;
			bf[k] = (struct dnsb_bframe){ .frame = buf[k], .len = p->len,
						      .dir = (uint8_t)dir, .now_ns = p->ts_ns };
		}
		/* Burst: the engine's two passes over the whole burst, as the
		 * daemon's worker has them run, taking each DNSB_V_EMIT's frames
		 * before going on; else one frame at a time. */
		for (uint32_t from = 0; from < n;) {
			uint32_t to = from + 1;
			if (use_engine && burst > 1)
				to = dnsb_engine_burst(&eng, bf, n, from);
			else if (use_engine)
				dnsb_engine_process(&eng, buf[from], bf[from].len, sizeof(buf[from]),
						    (enum dnsb_dir)bf[from].dir, bf[from].now_ns,
						    &bf[from].res);
			else
				dnsb_process(buf[from], bf[from].len, sizeof(buf[from]),
					     (enum dnsb_dir)bf[from].dir, bf[from].now_ns, &pol, NULL,
					     &bf[from].res);
			for (uint32_t k = from; k < to; k++) {
				const struct dnsb_result *r = &bf[k].res;
				uint64_t ts = bf[k].now_ns;
				count[r->reason]++;
				verdicts[r->verdict]++;
				if (r->verdict == DNSB_V_EMIT) {
					/* The frames of a held datagram, in place of this one. */
					for (uint32_t e = 0; e < dnsb_engine_emit_count(&eng); e++) {
						static uint8_t ebuf[DNSB_REASM_MAX_HDR + 8 + 65536];
						uint32_t len = dnsb_engine_emit(&eng, e, ebuf, sizeof(ebuf));
						emitted++;
						if (w && len && pcap_write_pkt(w, ts, ebuf, len)) {
							perror(out);
							return 1;
						}
					}
				} else if (w && r->verdict != DNSB_V_DROP &&
					   pcap_write_pkt(w, ts, buf[k], r->len)) {
					perror(out);
					return 1;
				}
			}
			from = to;
		}
	}
	if (w && fclose(w)) {
		perror(out);
		return 1;
	}
	if (json) {
		printf("{\"frames\": %u, \"forwarded\": %llu, \"modified\": %llu, \"dropped\": %llu,"
		       " \"completed\": %llu, \"emitted\": %llu, \"reasons\": {",
		       pf.n, (unsigned long long)verdicts[DNSB_V_PASS],
		       (unsigned long long)verdicts[DNSB_V_MODIFIED],
		       (unsigned long long)verdicts[DNSB_V_DROP],
		       (unsigned long long)verdicts[DNSB_V_EMIT], (unsigned long long)emitted);
		const char *sep = "";
		for (int r = 1; r < DNSB_R__END; r++) {
			printf("%s\"%s\": %llu", sep, dnsb_reason_name((enum dnsb_reason)r),
			       (unsigned long long)count[r]);
			sep = ", ";
		}
		printf("}");
		if (use_engine) {
			/* The engine's counters too, for comparing runs (--burst). */
			printf(", \"events\": {");
			sep = "";
			for (int e = 0; e < DNSB_EV__END; e++) {
				printf("%s\"%s\": %llu", sep, dnsb_event_name((enum dnsb_event)e),
				       (unsigned long long)eng.events[e]);
				sep = ", ";
			}
			printf("}");
		}
		printf("}\n");
	} else {
		printf("%u frames: %llu forwarded unmodified, %llu rewritten, %llu dropped, "
		       "%llu completed held datagrams (%llu frames sent for them)\n", pf.n,
		       (unsigned long long)verdicts[DNSB_V_PASS],
		       (unsigned long long)verdicts[DNSB_V_MODIFIED],
		       (unsigned long long)verdicts[DNSB_V_DROP],
		       (unsigned long long)verdicts[DNSB_V_EMIT], (unsigned long long)emitted);
		for (int r = 1; r < DNSB_R__END; r++)
			if (count[r])
				printf("  %-24s %8llu  %s\n", dnsb_reason_name((enum dnsb_reason)r),
				       (unsigned long long)count[r], dnsb_reason_help((enum dnsb_reason)r));
	}
	pcap_free(&pf);
	free(emem);
	return 0;
bad:
	usage(stderr);
	return 2;
}
