/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include <string.h>

#include "worker.h"

static void tx_flush(struct dnsb_worker *w, uint16_t port, struct dnsb_txbuf *b)
{
	if (!b->n)
		return;
	uint16_t sent = rte_eth_tx_burst(port, b->queue, b->m, b->n);
	w->wc[DNSB_WC_TX_PACKETS] += sent;
	if (unlikely(sent < b->n)) {
		w->wc[DNSB_WC_DROP_TX_FULL] += (uint64_t)(b->n - sent);
		rte_pktmbuf_free_bulk(&b->m[sent], b->n - sent);
	}
	b->n = 0;
}

static void tx_flush_all(struct dnsb_worker *w, const struct dnsb_app *app)
{
	for (unsigned i = 0; i < app->n_ports; i++)
		tx_flush(w, app->port_id[i], &w->tx[i]);
}

static inline void tx_send(struct dnsb_worker *w, uint16_t port, struct rte_mbuf *m,
			   unsigned burst)
{
	struct dnsb_txbuf *b = &w->tx[w->port_index[port]];
	b->m[b->n++] = m;
	if (b->n >= burst)
		tx_flush(w, port, b);
}

/* Offline: the capture's timestamp (microseconds) when the driver gave one. */
static inline uint64_t frame_time(struct dnsb_worker *w, const struct dnsb_app *app,
				  const struct rte_mbuf *m, uint64_t now_ns)
{
	if (!app->offline)
		return now_ns;
	if (likely(app->ts_offset >= 0 && (m->ol_flags & app->ts_flag)))
		return *RTE_MBUF_DYNFIELD(m, app->ts_offset, const rte_mbuf_timestamp_t *) * 1000;
	w->wc[DNSB_WC_OFFLINE_NO_TIMESTAMP]++;
	return now_ns;
}

/* A frame of @p len octets from @p src in fresh mbufs of @p pool, chained
 * when one is not enough. */
static struct rte_mbuf *frame_chain(struct rte_mempool *pool, const uint8_t *src, uint32_t len)
{
	struct rte_mbuf *head = NULL;
	uint32_t off = 0;
	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		if (!m)
			goto fail;
		uint32_t n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), src + off, n);
		off += n;
		if (!head)
			head = m;
		else if (rte_pktmbuf_chain(head, m)) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

/* DNSB_V_EMIT: the frames of a reassembled datagram, out of the engine. */
static void emit(struct dnsb_worker *w, struct rte_mempool *pool, uint16_t port, unsigned burst)
{
	uint32_t n = dnsb_engine_emit_count(&w->engine);
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		if (unlikely(!m)) {
			w->wc[DNSB_WC_DROP_EMIT_NO_MBUF] += n - i;
			return;
		}
		uint32_t len = dnsb_engine_emit(&w->engine, i, rte_pktmbuf_mtod(m, uint8_t *),
						rte_pktmbuf_tailroom(m));
		if (len) {
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
		} else {
			/* Larger than one mbuf (a datagram whole on a jumbo link). */
			rte_pktmbuf_free(m);
			len = dnsb_engine_emit(&w->engine, i, w->emit_buf, w->emit_cap);
			m = len ? frame_chain(pool, w->emit_buf, len) : NULL;
			if (!m) {
				w->wc[DNSB_WC_DROP_EMIT_NO_MBUF]++;
				continue;
			}
		}
		tx_send(w, port, m, burst);
	}
}

/* A frame the engine is done with: sent on, sent back or freed. */
static inline void dispatch(struct dnsb_worker *w, const struct dnsb_rxq *q, struct rte_mbuf *m,
			    const struct dnsb_bframe *b, unsigned burst)
{
	if (unlikely(!b->frame)) {
		w->wc[DNSB_WC_PASS_MULTISEG]++;
		tx_send(w, q->out_port, m, burst);
		return;
	}
	switch (b->res.verdict) {
	case DNSB_V_PASS:
		tx_send(w, q->out_port, m, burst);
		break;
	case DNSB_V_MODIFIED:
		m->data_len = (uint16_t)b->res.len;
		m->pkt_len = b->res.len;
		tx_send(w, q->out_port, m, burst);
		break;
	case DNSB_V_REPLY:
		m->data_len = (uint16_t)b->res.len;
		m->pkt_len = b->res.len;
		tx_send(w, q->port, m, burst);
		break;
	case DNSB_V_EMIT:
		/* The frames may be cut from this one: free it after. */
		emit(w, m->pool, q->out_port, burst);
		rte_pktmbuf_free(m);
		break;
	default:
		rte_pktmbuf_free(m);
		break;
	}
}

int dnsb_worker_main(void *arg)
{
	struct dnsb_worker_arg *a = arg;
	struct dnsb_app *app = a->app;
	struct dnsb_worker *w = a->w;
	struct rte_mbuf *pkts[DNSB_MAX_BURST];
	struct dnsb_bframe bf[DNSB_MAX_BURST];
	const uint16_t burst = (uint16_t)app->cfg.burst;
	const uint64_t drain_tsc = app->tsc_hz * app->cfg.drain_us / 1000000 + 1;
	const double ns_per_tsc = 1e9 / (double)app->tsc_hz;
	uint64_t prev = rte_rdtsc();

	while (!app->quit) {
		/* The policy in force, and a sign for the control plane that this
		 * worker no longer uses an older one. */
		w->engine.pol = __atomic_load_n(&app->pol_active, __ATOMIC_ACQUIRE);
		__atomic_store_n(&w->epoch, w->epoch + 1, __ATOMIC_RELEASE);
		uint64_t cur = rte_rdtsc();
		uint64_t now_ns = (uint64_t)((double)(cur - app->start_tsc) * ns_per_tsc);
		if (unlikely(cur - prev > drain_tsc)) {
			tx_flush_all(w, app);
			/* Age out what timed out, traffic or not, a few slots at a
			 * time (the per-packet path does no sweeping). Offline the
			 * clock is the capture's. */
			dnsb_engine_tick_paced(&w->engine, app->offline ? w->last_ns : now_ns);
			prev = cur;
		}
		unsigned partial = 0;
		for (unsigned i = 0; i < w->n_rxq; i++) {
			const struct dnsb_rxq *q = &w->rxq[i];
			uint64_t t0 = rte_rdtsc();
			uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, burst);
			if (!n)
				continue;
			partial += n < burst;
			w->wc[DNSB_WC_RX_PACKETS] += n;
			if (app->cfg.io_only) {
				/* Benchmark baseline: the same I/O path, no DNS work. */
				for (uint16_t k = 0; k < n; k++)
					tx_send(w, q->out_port, pkts[k], burst);
				w->wc[DNSB_WC_BUSY_CYCLES] += rte_rdtsc() - t0;
				continue;
			}
			/* The engine's two passes over the burst (engine.h), in
			 * one call but where a frame's verdict has frames of its
			 * own to send: taken before the next frame is finished. */
			for (uint16_t k = 0; k < n; k++) {
				struct rte_mbuf *m = pkts[k];
				struct dnsb_bframe *b = &bf[k];
				b->frame = likely(m->nb_segs == 1) ? rte_pktmbuf_mtod(m, uint8_t *) : NULL;
				b->len = m->data_len;
				b->dir = q->dir;
				b->now_ns = frame_time(w, app, m, now_ns);
			}
			w->last_ns = bf[n - 1].now_ns;
			for (uint32_t from = 0; from < n;) {
				uint64_t te = rte_rdtsc();
				uint32_t to = dnsb_engine_burst(&w->engine, bf, n, from);
				w->wc[DNSB_WC_ENGINE_CYCLES] += rte_rdtsc() - te;
				for (uint32_t k = from; k < to; k++)
					dispatch(w, q, pkts[k], &bf[k], burst);
				from = to;
			}
			w->wc[DNSB_WC_BUSY_CYCLES] += rte_rdtsc() - t0;
		}
		/* Queues not full: the load is low, nothing gains by waiting for
		 * the drain timer to batch more (it would only add latency). */
		if (partial)
			tx_flush_all(w, app);
		if (app->offline && w->wc[DNSB_WC_RX_PACKETS] >= app->offline_total)
			break;
	}
	tx_flush_all(w, app);
	w->done = 1;
	return 0;
}
