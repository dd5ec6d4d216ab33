/* SPDX-License-Identifier: BSD-3-Clause */
/** @file worker.h The per-lcore fast path. */
#ifndef DNSBUMP_WORKER_H
#define DNSBUMP_WORKER_H

#include "app.h"

/** Arguments of one worker lcore. */
struct dnsb_worker_arg {
	struct dnsb_app *app;
	struct dnsb_worker *w;
};

/**
 * lcore entry: poll the worker's RX queues until app->quit (or, offline,
 * until the whole capture was read), hand each frame to the engine, send
 * or free it per the verdict, drain TX buffers on a TSC timer.
 */
int dnsb_worker_main(void *arg);

#endif
