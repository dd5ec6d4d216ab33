/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsbumpctl: the control CLI. Talks to the daemon over DPDK telemetry
 * (the same socket dpdk-telemetry.py uses): counters as a table, JSON or
 * Prometheus text (also served over HTTP), live rates, findings, reload.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "diag.h"
#include "engine.h"
#include "json.h"
#include "prom.h"
#include "report.h"

#define MAX_REPLY (1 << 20)

static char sock_path[100]; /* fits sockaddr_un.sun_path */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnsbumpctl [--file-prefix PREFIX] COMMAND\n"
		"  stats [--json]           counters (summed over workers)\n"
		"  lcores                   counters per worker lcore\n"
		"  prometheus               Prometheus text exposition\n"
		"  serve --listen ADDR:PORT HTTP /metrics for a Prometheus server\n"
		"  watch [--interval S] [--count N]   live rates\n"
		"  diag [--json]            findings: where DNS breaks, evidence, fix\n"
		"  reload                   re-read the config file (dns and diag sections)\n"
		"  raw /telemetry/command   any telemetry command, raw JSON\n"
		"PREFIX is the daemon's EAL --file-prefix (default: dnsbump).\n");
}

/* One request on the telemetry socket: the reply's text in @p buf. */
static int telemetry_raw(const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "dnsbumpctl: %s: %s (is dnsbump running with this file prefix?)\n",
			sock_path, strerror(errno));
		close(fd);
		return -1;
	}
	ssize_t n = read(fd, buf, len - 1); /* greeting: version, pid, max length */
	if (n <= 0 || write(fd, cmd, strlen(cmd)) < 0 || (n = read(fd, buf, len - 1)) <= 0) {
		fprintf(stderr, "dnsbumpctl: no reply to %s\n", cmd);
		close(fd);
		return -1;
	}
	close(fd);
	buf[n] = 0;
	return 0;
}

/* The same, parsed. */
static int telemetry(const char *cmd, struct json *out)
{
	static char buf[MAX_REPLY];
	if (telemetry_raw(cmd, buf, sizeof(buf)))
		return -1;
	if (json_parse(buf, out)) {
		fprintf(stderr, "dnsbumpctl: unreadable reply to %s\n", cmd);
		return -1;
	}
	return 0;
}

static uint64_t num(const struct json *o, const char *k)
{
	const struct json *v = json_get(o, k);
	return v && v->type == J_NUM ? (uint64_t)v->num : 0;
}

static int fetch_totals(struct dnsb_totals *t)
{
	struct json j;
	if (telemetry("/dnsbump/stats", &j))
		return -1;
	const struct json *o = json_get(&j, "/dnsbump/stats");
	if (!o || o->type != J_OBJ) {
		fprintf(stderr, "dnsbumpctl: the daemon has no /dnsbump/stats\n");
		json_free(&j);
		return -1;
	}
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < DNSB_WC__END; i++)
		t->wc[i] = num(o, dnsb_wc_name(i));
	for (int r = 1; r < DNSB_R__END; r++)
		t->reasons[r] = num(o, dnsb_reason_name((enum dnsb_reason)r));
	for (int e = 0; e < DNSB_EV__END; e++)
		t->events[e] = num(o, dnsb_event_name((enum dnsb_event)e));
	for (int g = 0; g < DNSB_G__END; g++)
		t->gauges[g] = num(o, dnsb_gauge_name((enum dnsb_gauge)g));
	json_free(&j);
	return 0;
}

static int fetch_diag_cfg(struct dnsb_diag_cfg *c)
{
	struct json j;
	dnsb_diag_defaults(c);
	if (telemetry("/dnsbump/config", &j))
		return -1;
	const struct json *o = json_get(&j, "/dnsbump/config");
	if (o && json_get(o, "diag_min_samples")) {
		c->min_samples = (uint32_t)num(o, "diag_min_samples");
		c->min_tcp = (uint32_t)num(o, "diag_min_tcp");
		c->loss_percent = (uint32_t)num(o, "diag_loss_percent");
	}
	/* What the daemon tracks; one without the key tracks everything. */
	const struct json *tr = o ? json_get(o, "track") : NULL;
	if (tr && tr->type == J_ARR) {
		unsigned track = 0;
		for (size_t i = 0; i < tr->n; i++)
			if (tr->items[i].type == J_STR)
				track |= dnsb_track_bit(tr->items[i].str);
		c->untrack = (uint8_t)(DNSB_TRACK_ALL & ~track);
	}
	json_free(&j);
	return 0;
}

/* Counters and the findings they give, with the daemon's thresholds. */
static int fetch_findings(struct dnsb_totals *t, struct dnsb_finding *fs, unsigned *n)
{
	struct dnsb_diag_cfg c;
	if (fetch_totals(t) || fetch_diag_cfg(&c))
		return -1;
	*n = dnsb_diag(t, &c, fs);
	return 0;
}

static int cmd_stats(int json_out)
{
	struct dnsb_totals t;
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	unsigned n;
	if (fetch_findings(&t, fs, &n))
		return 1;
	if (json_out)
		dnsb_report_json(stdout, "live", sock_path, &t, NULL, fs, n);
	else
		dnsb_report_table(stdout, &t);
	return 0;
}

static int cmd_lcores(void)
{
	struct json j;
	if (telemetry("/dnsbump/lcores", &j))
		return 1;
	const struct json *o = json_get(&j, "/dnsbump/lcores");
	const struct json *ids = json_get(o, "lcores");
	if (!ids || ids->type != J_ARR) {
		json_free(&j);
		return 1;
	}
	printf("%-28s", "counter \\ lcore");
	for (size_t i = 0; i < ids->n; i++)
		printf(" %12.0f", ids->items[i].num);
	printf("\n");
	for (size_t k = 0; k < o->n; k++) {
		const struct json *a = &o->items[k];
		int any = 0;
		if (!strcmp(o->keys[k], "lcores") || a->type != J_ARR)
			continue;
		for (size_t i = 0; i < a->n; i++)
			any |= a->items[i].num != 0;
		if (!any)
			continue;
		printf("%-28s", o->keys[k]);
		for (size_t i = 0; i < a->n; i++)
			printf(" %12.0f", a->items[i].num);
		printf("\n");
	}
	json_free(&j);
	return 0;
}

static int cmd_prometheus(FILE *f)
{
	struct dnsb_totals t;
	struct dnsb_diag_cfg c;
	if (fetch_totals(&t) || fetch_diag_cfg(&c))
		return 1;
	dnsb_prom_write(f, &t);
	dnsb_prom_write_tracked(f, c.untrack);
	return 0;
}

static int cmd_diag(int json_out)
{
	struct dnsb_totals t;
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	unsigned n;
	if (fetch_findings(&t, fs, &n))
		return 1;
	if (json_out) {
		dnsb_diag_json(stdout, fs, n);
		printf("\n");
	} else {
		dnsb_diag_print(stdout, fs, n);
	}
	return 0;
}

static int cmd_reload(void)
{
	struct json j;
	if (telemetry("/dnsbump/reload", &j))
		return 1;
	const struct json *o = json_get(&j, "/dnsbump/reload");
	const struct json *r = json_get(o, "result");
	int ok = r && r->type == J_STR && !strcmp(r->str, "ok");
	for (int i = 0; i < 12; i++) {
		char name[16];
		snprintf(name, sizeof(name), "message_%d", i);
		const struct json *m = json_get(o, name);
		if (m && m->type == J_STR)
			fputs(m->str, ok ? stdout : stderr);
	}
	fputs("\n", ok ? stdout : stderr);
	json_free(&j);
	return ok ? 0 : 1;
}

static int cmd_raw(const char *cmd)
{
	static char buf[MAX_REPLY];
	struct json j;
	if (telemetry_raw(cmd, buf, sizeof(buf)))
		return 1;
	int found = json_parse(buf, &j) == 0 && json_get(&j, cmd) != NULL;
	json_free(&j);
	if (!found) {
		fprintf(stderr, "dnsbumpctl: the daemon does not know %s\n", cmd);
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

/* Live rates of the counters that tell the story, refreshed. */
static int cmd_watch(double interval, long count)
{
	static const int evs[] = { DNSB_EV_QUERIES, DNSB_EV_RESPONSES, DNSB_EV_UNANSWERED_DO,
				   DNSB_EV_UNANSWERED_NODO, DNSB_EV_CLIENT_RETRY_AFTER_ANSWER,
				   DNSB_EV_TC_NO_TCP_FOLLOWUP, DNSB_EV_TCP53_SYN,
				   DNSB_EV_TCP53_SYN_UNANSWERED };
	static const int rsn[] = { DNSB_R_EDNS_CLAMPED, DNSB_R_TC_SYNTHESIZED, DNSB_R_PASS_FRAGMENT,
				   DNSB_R_DROP_OVERSIZE };
	struct dnsb_totals prev, cur;
	int tty = isatty(STDOUT_FILENO);
	if (fetch_totals(&prev))
		return 1;
	for (long i = 0; count <= 0 || i < count; i++) {
		struct timespec ts = { (time_t)interval, (long)((interval - (time_t)interval) * 1e9) };
		nanosleep(&ts, NULL);
		if (fetch_totals(&cur))
			return 1;
		if (tty)
			printf("\033[H\033[2J");
		printf("%-28s %14s %12s\n", "counter", "total", "per second");
		printf("%-28s %14" PRIu64 " %12.1f\n", "rx_packets", cur.wc[DNSB_WC_RX_PACKETS],
		       (double)(cur.wc[DNSB_WC_RX_PACKETS] - prev.wc[DNSB_WC_RX_PACKETS]) / interval);
		for (size_t k = 0; k < sizeof(rsn) / sizeof(rsn[0]); k++)
			printf("%-28s %14" PRIu64 " %12.1f\n", dnsb_reason_name(rsn[k]),
			       cur.reasons[rsn[k]],
			       (double)(cur.reasons[rsn[k]] - prev.reasons[rsn[k]]) / interval);
		for (size_t k = 0; k < sizeof(evs) / sizeof(evs[0]); k++)
			printf("%-28s %14" PRIu64 " %12.1f\n", dnsb_event_name(evs[k]),
			       cur.events[evs[k]],
			       (double)(cur.events[evs[k]] - prev.events[evs[k]]) / interval);
		printf("%-28s %14" PRIu64 "\n", "udp_flows_active", cur.gauges[DNSB_G_UDP_FLOWS_ACTIVE]);
		/* What a frame cost the workers in the interval, and how much of
		 * it the packet logic (the rest: receive, send, the loop). */
		uint64_t rx = cur.wc[DNSB_WC_RX_PACKETS] - prev.wc[DNSB_WC_RX_PACKETS];
		if (rx)
			printf("cycles a frame: %.0f, %.0f of them in the packet logic\n",
			       (double)(cur.wc[DNSB_WC_BUSY_CYCLES] - prev.wc[DNSB_WC_BUSY_CYCLES]) /
				       (double)rx,
			       (double)(cur.wc[DNSB_WC_ENGINE_CYCLES] - prev.wc[DNSB_WC_ENGINE_CYCLES]) /
				       (double)rx);
		else
			printf("cycles a frame: - (no frames in the interval)\n");
		fflush(stdout);
		prev = cur;
	}
	return 0;
}

static enum MHD_Result on_http(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_len, void **state)
{
	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	char *body = NULL;
	size_t len = 0;
	unsigned code = 200;
	FILE *f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	if (strcmp(method, "GET")) {
		code = 405;
		fprintf(f, "GET only\n");
	} else if (strcmp(url, "/metrics")) {
		code = 404;
		fprintf(f, "see /metrics\n");
	} else if (cmd_prometheus(f)) {
		code = 503;
		fprintf(f, "dnsbump is not answering\n");
	}
	fclose(f);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static volatile sig_atomic_t stop;

static void on_stop(int s)
{
	(void)s;
	stop = 1;
}

static int cmd_serve(const char *listen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || colon - listen >= (long)sizeof(host)) {
		fprintf(stderr, "dnsbumpctl: --listen ADDR:PORT (IPv4)\n");
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	long port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "dnsbumpctl: bad listen address %s\n", listen);
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL,
						NULL, on_http, NULL, MHD_OPTION_SOCK_ADDR, &sa,
						MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "dnsbumpctl: cannot listen on %s\n", listen);
		return 1;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	fprintf(stderr, "dnsbumpctl: serving http://%s/metrics\n", listen);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "file-prefix", required_argument, 0, 'f' }, { "json", no_argument, 0, 'j' },
		{ "listen", required_argument, 0, 'l' },      { "interval", required_argument, 0, 'i' },
		{ "count", required_argument, 0, 'n' },       { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *prefix = "dnsbump", *listen = NULL;
	int json_out = 0, c;
	double interval = 1;
	long count = 0;

	while ((c = getopt_long(argc, argv, "+f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': prefix = optarg; break;
		case 'j': json_out = 1; break;
		case 'l': listen = optarg; break;
		case 'i': interval = atof(optarg); break;
		case 'n': count = atol(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[optind++];
	/* Options may also follow the command. */
	while ((c = getopt_long(argc, argv, "f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': prefix = optarg; break;
		case 'j': json_out = 1; break;
		case 'l': listen = optarg; break;
		case 'i': interval = atof(optarg); break;
		case 'n': count = atol(optarg); break;
		default: usage(stderr); return 2;
		}
	}
	const char *run = getenv("RUNTIME_DIRECTORY");
	if (!run)
		run = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR")
									   : "/tmp";
	if (snprintf(sock_path, sizeof(sock_path), "%s/dpdk/%s/dpdk_telemetry.v2", run, prefix) >=
	    (int)sizeof(sock_path)) {
		fprintf(stderr, "dnsbumpctl: socket path too long for prefix %s\n", prefix);
		return 2;
	}
	if (interval <= 0)
		interval = 1;

	if (!strcmp(cmd, "stats"))
		return cmd_stats(json_out);
	if (!strcmp(cmd, "lcores"))
		return cmd_lcores();
	if (!strcmp(cmd, "prometheus"))
		return cmd_prometheus(stdout);
	if (!strcmp(cmd, "serve"))
		return listen ? cmd_serve(listen) : (usage(stderr), 2);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(interval, count);
	if (!strcmp(cmd, "diag"))
		return cmd_diag(json_out);
	if (!strcmp(cmd, "reload"))
		return cmd_reload();
	if (!strcmp(cmd, "raw") && optind < argc)
		return cmd_raw(argv[optind]);
	usage(stderr);
	return 2;
}
