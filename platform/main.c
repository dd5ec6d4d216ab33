/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsbump: the daemon. Staged start-up: arguments and configuration (exit
 * 2 when bad), EAL, mempool, ports, workers, telemetry; then the main lcore
 * waits for a signal (or, offline, for the end of the capture) and shuts
 * everything down in reverse order.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pdump.h>
#include <rte_random.h>

#include "app.h"
#include "config.h"
#include "diag.h"
#include "ports.h"
#include "report.h"
#include "telemetry.h"
#include "worker.h"

#define OFFLINE_VDEV "net_pcap_dnsbump"

struct opts {
	const char *config;
	const char *read, *write;
	int check, json;
};

static volatile sig_atomic_t got_signal;

static volatile sig_atomic_t got_hup;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options --] -c FILE [--check]\n"
		"       %s [EAL options --] -c FILE --read IN.pcap [--write OUT.pcap] [--json]\n"
		"  -c, --config FILE  libconfig file (configs/reference.cfg documents every key)\n"
		"      --check        validate the configuration and exit (0 good, 2 bad)\n"
		"      --read IN      offline: run the fast path over a capture\n"
		"      --write OUT    offline: write what the bump would have sent\n"
		"      --json         offline: print the final counters as JSON\n",
		prog, prog);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, 0, 'c' }, { "check", no_argument, 0, 'k' },
		{ "read", required_argument, 0, 'r' },   { "write", required_argument, 0, 'w' },
		{ "json", no_argument, 0, 'j' },         { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'k': o->check = 1; break;
		case 'r': o->read = optarg; break;
		case 'w': o->write = optarg; break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout, argv[0]); exit(0);
		default: return -1;
		}
	}
	if (optind != argc || !o->config || (o->write && !o->read))
		return -1;
	return 0;
}

static int has_arg(char **v, int n, const char *const *names)
{
	for (int i = 0; i < n; i++)
		for (const char *const *a = names; *a; a++)
			if (!strcmp(v[i], *a) || (!strncmp(v[i], *a, strlen(*a)) && v[i][strlen(*a)] == '='))
				return 1;
	return 0;
}

static int is_pci(const char *dev)
{
	return strncmp(dev, "net_", 4) != 0 && strchr(dev, ':') != NULL;
}

/* Device name DPDK will give the port: the PCI address, or the vdev name. */
static void device_name(const char *dev, char *out, size_t n)
{
	size_t k = strcspn(dev, ",");
	snprintf(out, n, "%.*s", (int)(k < n ? k : n - 1), dev);
}

/*
 * EAL argument vector: program name, the config's eal list, the command
 * line's EAL options, then what the ports need (--vdev / -a), --no-pci when
 * no PCI device is named (never probe NICs nobody asked for), and -l from
 * the worker list unless an lcore option was given.
 */
static int build_eal_argv(const struct dnsb_config *c, const struct opts *o, char *prog,
			  char **cl, int ncl, char **argv, int max, char *store, size_t storelen)
{
	static const char *const lcore_opts[] = { "-l", "--lcores", "-c", NULL };
	static const char *const pci_opts[] = { "-a", "--allow", "-b", "--block", "--no-pci", NULL };
	int n = 0, any_pci = 0;
	size_t used = 0;

#define PUSH(s)                                  \
	do {                                     \
		if (n >= max - 1)                \
			return -1;               \
		argv[n++] = (char *)(s);         \
	} while (0)
	PUSH(prog);
	for (unsigned i = 0; i < c->n_eal; i++)
		PUSH(c->eal[i]);
	for (int i = 0; i < ncl; i++)
		PUSH(cl[i]);
	if (o->read) {
		int k = snprintf(store + used, storelen - used, "%s,rx_pcap=%s,tx_pcap=%s",
				 OFFLINE_VDEV, o->read, o->write ? o->write : "/dev/null");
		if (k < 0 || (size_t)k >= storelen - used)
			return -1;
		PUSH("--vdev");
		PUSH(store + used);
		used += (size_t)k + 1;
	} else {
		for (unsigned i = 0; i < c->n_ports; i++) {
			any_pci |= is_pci(c->ports[i].device);
			PUSH(is_pci(c->ports[i].device) ? "-a" : "--vdev");
			PUSH(c->ports[i].device);
		}
	}
	char *all[2 * DNSB_MAX_EAL_ARGS];
	int nall = 0;
	for (unsigned i = 0; i < c->n_eal; i++)
		all[nall++] = c->eal[i];
	for (int i = 0; i < ncl && nall < (int)(sizeof(all) / sizeof(all[0])); i++)
		all[nall++] = cl[i];
	if (!any_pci && !has_arg(all, nall, pci_opts))
		PUSH("--no-pci");
	if (!has_arg(all, nall, lcore_opts)) {
		/* main lcore: the lowest id that is not a worker */
		unsigned main_lcore = 0;
		for (int again = 1; again;) {
			again = 0;
			for (unsigned i = 0; i < c->n_workers; i++)
				if (c->workers[i] == main_lcore) {
					main_lcore++;
					again = 1;
				}
		}
		int k = snprintf(store + used, storelen - used, "%u", main_lcore);
		for (unsigned i = 0; i < c->n_workers; i++)
			k += snprintf(store + used + k, storelen - used - (size_t)k, ",%u", c->workers[i]);
		if ((size_t)k >= storelen - used)
			return -1;
		PUSH("-l");
		PUSH(store + used);
		used += (size_t)k + 1;
	}
#undef PUSH
	argv[n] = NULL;
	return n;
}

static int count_capture(const char *path, uint64_t *n)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		fprintf(stderr, "dnsbump: %s: %s\n", path, err);
		return -1;
	}
	*n = 0;
	while (pcap_next_ex(p, &h, &d) == 1)
		(*n)++;
	pcap_close(p);
	return 0;
}

/* Queue plan: queue q of a pair goes to one worker, both ports together. */
static int plan_and_start(struct dnsb_app *app, char *err, size_t errlen)
{
	const struct dnsb_config *c = &app->cfg;
	uint16_t nrxq[DNSB_MAX_PORTS] = { 0 }, ntxq[DNSB_MAX_PORTS] = { 0 };

	if (app->offline) {
		struct dnsb_worker *w = &app->workers[0];
		w->rxq[0] = (struct dnsb_rxq){ app->port_id[0], 0, app->port_id[0], DNSB_DIR_UNKNOWN };
		w->n_rxq = 1;
		w->port_index[app->port_id[0]] = 0;
		w->tx[0].queue = 0;
		nrxq[0] = ntxq[0] = 1;
	} else {
		for (unsigned w = 0; w < app->n_workers; w++)
			for (unsigned i = 0; i < app->n_ports; i++)
				app->workers[w].port_index[app->port_id[i]] = (uint16_t)i;
		unsigned next = 0;
		for (unsigned p = 0; p < c->n_pairs; p++) {
			unsigned ci = c->pairs[p].client, si = c->pairs[p].server;
			uint16_t cid = app->port_id[ci], sid = app->port_id[si];
			uint16_t nq = (uint16_t)app->n_workers;
			if (dnsb_port_max_rxq(cid) < nq)
				nq = dnsb_port_max_rxq(cid);
			if (dnsb_port_max_rxq(sid) < nq)
				nq = dnsb_port_max_rxq(sid);
			nrxq[ci] = nrxq[si] = nq;
			for (uint16_t q = 0; q < nq; q++) {
				struct dnsb_worker *w = &app->workers[next++ % app->n_workers];
				if (w->n_rxq + 2 > DNSB_MAX_RXQ_PER_WORKER) {
					snprintf(err, errlen, "too many queues for one worker");
					return -1;
				}
				w->rxq[w->n_rxq++] = (struct dnsb_rxq){ cid, q, sid, DNSB_DIR_TO_SERVER };
				w->rxq[w->n_rxq++] = (struct dnsb_rxq){ sid, q, cid, DNSB_DIR_TO_CLIENT };
			}
		}
		/* Every worker that polls a pair gets its own TX queue on both
		 * ports: frames leave by the other port, replies by their own. */
		for (unsigned w = 0; w < app->n_workers; w++) {
			int uses[DNSB_MAX_PORTS] = { 0 };
			struct dnsb_worker *wk = &app->workers[w];
			for (unsigned r = 0; r < wk->n_rxq; r++) {
				uses[wk->port_index[wk->rxq[r].port]] = 1;
				uses[wk->port_index[wk->rxq[r].out_port]] = 1;
			}
			for (unsigned i = 0; i < app->n_ports; i++)
				if (uses[i])
					wk->tx[i].queue = ntxq[i]++;
		}
	}
	for (unsigned i = 0; i < app->n_ports; i++) {
		if (!nrxq[i] || !ntxq[i]) {
			snprintf(err, errlen, "port %s has no worker",
				 app->offline ? "offline" : c->ports[i].name);
			return -1;
		}
		app->n_txq[i] = ntxq[i];
		if (dnsb_port_start(app->port_id[i], nrxq[i], ntxq[i], (uint16_t)c->rx_desc,
				    (uint16_t)c->tx_desc, app->pool, err, errlen))
			return -1;
		app->n_started = i + 1;
	}
	return 0;
}

/*
 * A worker's correlation and reassembly tables: DPDK's memory on the
 * worker's socket when the EAL has hugepages. Without them (--no-huge)
 * DPDK's memory is 4 KiB pages, and tables of many MiB in 4 KiB pages
 * cost a page walk on most table accesses; they are mapped here instead,
 * 2 MiB aligned, as transparent huge pages (where the kernel has them
 * enabled for madvise or always). dnsb_engine_init() zeroes every table
 * right after, on the main lcore, which faults the pages in: none is left
 * for the fast path.
 */
static void *tables_alloc(struct dnsb_worker *w, size_t size, int socket)
{
	w->table_mapped = 0;
	if (rte_eal_has_hugepages())
		return rte_zmalloc_socket("dnsbump_tables", size, RTE_CACHE_LINE_SIZE, socket);
	const size_t huge = 2u << 20, len = (size + huge - 1) / huge * huge;
	uint8_t *m = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	size_t lead = (huge - (uintptr_t)m % huge) % huge; /* under huge: a tail is left */
	if (lead)
		munmap(m, lead);
	munmap(m + lead + len, huge - lead);
	m += lead;
	madvise(m, len, MADV_HUGEPAGE); /* advice: 4 KiB pages if refused */
	w->table_mapped = len;
	return m;
}

static void tables_free(struct dnsb_worker *w)
{
	if (w->table_mapped)
		munmap(w->table_mem, w->table_mapped);
	else
		rte_free(w->table_mem);
	w->table_mem = NULL;
}

static int init_workers(struct dnsb_app *app, char *err, size_t errlen)
{
	const struct dnsb_config *c = &app->cfg;
	unsigned main_lcore = rte_get_main_lcore();

	app->n_workers = app->offline ? 1 : c->n_workers;
	app->workers = rte_zmalloc("dnsbump_workers", sizeof(struct dnsb_worker) * app->n_workers,
				   RTE_CACHE_LINE_SIZE);
	if (!app->workers) {
		snprintf(err, errlen, "out of memory for worker state");
		return -1;
	}
	for (unsigned i = 0; i < app->n_workers; i++) {
		struct dnsb_worker *w = &app->workers[i];
		unsigned lc = c->n_workers ? c->workers[i] : rte_get_next_lcore(main_lcore, 1, 0);
		if (lc >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lc) || lc == main_lcore) {
			snprintf(err, errlen, "worker lcore %u is not an enabled non-main lcore "
				 "(check the eal -l option)", lc);
			return -1;
		}
		w->lcore = lc;
		struct dnsb_engine_cfg ec = {
			.slots = c->query_table_size,
			.query_timeout_ns = (uint64_t)c->query_timeout_ms * 1000000,
			.flow_timeout_ns = (uint64_t)c->flow_timeout_ms * 1000000,
			.seed = (uint32_t)rte_rand(),
			.hypothetical = (uint8_t)app->offline,
			.untrack = c->untrack,
			.reasm = {
				.slots = c->frag_table_size,
				.max_datagram = c->frag_max_datagram,
				.max_frags = (uint16_t)c->frag_max_fragments,
				.timeout_ns = (uint64_t)c->frag_timeout_ms * 1000000,
			},
		};
		w->table_mem = tables_alloc(w, dnsb_engine_mem(&ec), (int)rte_lcore_to_socket_id(lc));
		if (!w->table_mem) {
			snprintf(err, errlen, "out of memory for the worker tables (%zu MB)",
				 dnsb_engine_mem(&ec) >> 20);
			return -1;
		}
		if (dnsb_engine_init(&w->engine, app->pol_active, w->table_mem, &ec))
			return -1;
		w->emit_cap = DNSB_REASM_MAX_HDR + 8 + c->frag_max_datagram;
		w->emit_buf = rte_malloc_socket("dnsbump_emit", w->emit_cap, RTE_CACHE_LINE_SIZE,
						(int)rte_lcore_to_socket_id(lc));
		if (!w->emit_buf) {
			snprintf(err, errlen, "out of memory for the worker's emit buffer");
			return -1;
		}
	}
	return 0;
}

static int find_ports(struct dnsb_app *app, char *err, size_t errlen)
{
	char name[DNSB_DEVICE_LEN];
	if (app->offline) {
		app->n_ports = 1;
		if (rte_eth_dev_get_port_by_name(OFFLINE_VDEV, &app->port_id[0])) {
			snprintf(err, errlen, "offline capture port did not come up");
			return -1;
		}
		return 0;
	}
	app->n_ports = app->cfg.n_ports;
	for (unsigned i = 0; i < app->n_ports; i++) {
		device_name(app->cfg.ports[i].device, name, sizeof(name));
		if (rte_eth_dev_get_port_by_name(name, &app->port_id[i])) {
			snprintf(err, errlen, "port '%s': device '%.200s' did not come up",
				 app->cfg.ports[i].name, app->cfg.ports[i].device);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct dnsb_app app;
	struct opts o;
	char err[1024];

	/* EAL options, if any, come before "--"; ours after it. */
	int sep = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	char **cl_eal = argv + 1;
	int n_cl_eal = sep ? sep - 1 : 0;
	char *app_argv[64];
	int app_argc = 0;
	app_argv[app_argc++] = argv[0];
	for (int i = sep ? sep + 1 : 1; i < argc && app_argc < 63; i++)
		app_argv[app_argc++] = argv[i];
	app_argv[app_argc] = NULL;
	if (parse_opts(app_argc, app_argv, &o)) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (dnsb_config_load(o.config, !o.read, &app.cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (o.check) {
		printf("%s: ok\n", o.config);
		dnsb_config_free(&app.cfg);
		return 0;
	}
	app.pol_slot[0] = app.cfg.policy;
	app.pol_active = &app.pol_slot[0];
	pthread_mutex_init(&app.ctl_lock, NULL);
	app.offline = o.read != NULL;
	if (app.offline && count_capture(o.read, &app.offline_total))
		return 1;

	char *eal_argv[DNSB_MAX_EAL_ARGS * 2 + 2 * DNSB_MAX_PORTS + 16];
	static char store[4096];
	int eal_argc = build_eal_argv(&app.cfg, &o, argv[0], cl_eal, n_cl_eal, eal_argv,
				      (int)(sizeof(eal_argv) / sizeof(eal_argv[0])), store, sizeof(store));
	if (eal_argc < 0) {
		fprintf(stderr, "dnsbump: too many EAL arguments\n");
		return 2;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "dnsbump: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	app.tsc_hz = rte_get_tsc_hz();
	app.start_tsc = rte_rdtsc();
	app.ts_offset = -1;
	int rc = 1;
	if (find_ports(&app, err, sizeof(err)) || init_workers(&app, err, sizeof(err)))
		goto fail;
	app.pool = rte_pktmbuf_pool_create("dnsbump_mbufs", app.cfg.mbufs, app.cfg.mbuf_cache, 0,
					   (uint16_t)app.cfg.data_room, (int)rte_socket_id());
	if (!app.pool) {
		snprintf(err, sizeof(err), "mbuf pool of %u: %s", app.cfg.mbufs, rte_strerror(rte_errno));
		goto fail;
	}
	if (plan_and_start(&app, err, sizeof(err)))
		goto fail;
	if (app.offline &&
	    rte_mbuf_dyn_rx_timestamp_register(&app.ts_offset, &app.ts_flag) != 0)
		app.ts_offset = -1;
	/* Mbufs the drivers hold for their rings: at exit, before the ports
	 * close, the pool must be back to this (nothing lost on the way). */
	long long in_use_start = (long long)rte_mempool_in_use_count(app.pool);
	if (rte_pdump_init())
		fprintf(stderr, "dnsbump: packet capture (pdump) not available\n");
	if (dnsb_telemetry_init(&app))
		fprintf(stderr, "dnsbump: telemetry endpoints not registered\n");

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hup);
	static struct dnsb_worker_arg args[DNSB_MAX_WORKERS];
	for (unsigned i = 0; i < app.n_workers; i++) {
		args[i] = (struct dnsb_worker_arg){ &app, &app.workers[i] };
		if (rte_eal_remote_launch(dnsb_worker_main, &args[i], app.workers[i].lcore)) {
			snprintf(err, sizeof(err), "cannot launch lcore %u", app.workers[i].lcore);
			app.quit = 1;
			rte_eal_mp_wait_lcore();
			goto fail;
		}
	}
	if (!app.offline) {
		char tr[32];
		fprintf(stderr, "dnsbump: running, %u worker(s), %u port(s), tracking %s\n",
			app.n_workers, app.n_ports,
			dnsb_track_list(DNSB_TRACK_ALL & ~app.cfg.untrack, tr, sizeof(tr)));
	}
	for (;;) {
		if (got_signal)
			break;
		if (got_hup) {
			char msg[1200];
			got_hup = 0;
			dnsb_app_reload(&app, msg, sizeof(msg));
			fprintf(stderr, "dnsbump: reload (SIGHUP): %s\n", msg);
		}
		if (app.offline) {
			unsigned done = 0;
			for (unsigned i = 0; i < app.n_workers; i++)
				done += app.workers[i].done;
			if (done == app.n_workers)
				break;
		}
		usleep(10000);
	}
	app.quit = 1;
	rte_eal_mp_wait_lcore();
	for (unsigned i = 0; i < app.n_started; i++)
		dnsb_port_reclaim_tx(app.port_id[i], app.n_txq[i]);
	long long in_use_exit = (long long)rte_mempool_in_use_count(app.pool);
	for (unsigned i = 0; i < app.n_started; i++)
		dnsb_port_close(app.port_id[i]);
	app.n_started = 0;

	/* Offline, the capture's end is the end of time: age out what its
	 * last timestamp says has timed out. */
	for (unsigned i = 0; app.offline && i < app.n_workers; i++)
		dnsb_engine_tick(&app.workers[i].engine, app.workers[i].last_ns, 0);
	struct dnsb_totals t;
	dnsb_app_totals(&app, &t);
	struct dnsb_mbuf_use mu = { in_use_start, in_use_exit,
				    (long long)rte_mempool_in_use_count(app.pool) };
	struct dnsb_finding fs[DNSB_DIAG_MAX];
	unsigned nf = dnsb_diag(&t, &app.cfg.diag, fs);
	if (!app.offline || o.json) {
		dnsb_report_json(stdout, app.offline ? "offline" : "live", app.cfg.path, &t, &mu, fs,
				 nf);
	} else {
		dnsb_report_table(stdout, &t);
		printf("findings\n");
		dnsb_diag_print(stdout, fs, nf);
	}
	fflush(stdout);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "dnsbump: %s\n", err);
	for (unsigned i = 0; i < app.n_started; i++)
		dnsb_port_close(app.port_id[i]);
out:
	for (unsigned i = 0; app.workers && i < app.n_workers; i++) {
		tables_free(&app.workers[i]);
		rte_free(app.workers[i].emit_buf);
	}
	rte_pdump_uninit();
	rte_free(app.workers);
	rte_mempool_free(app.pool);
	dnsb_config_free(&app.cfg);
	rte_eal_cleanup();
	return rc;
}
