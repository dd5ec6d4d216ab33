/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file telemetry.h
 * DPDK telemetry endpoints under /dnsbump/, so dnsbumpctl and plain
 * dpdk-telemetry.py read the daemon's counters and settings.
 */
#ifndef DNSBUMP_TELEMETRY_H
#define DNSBUMP_TELEMETRY_H

struct dnsb_app;

/** Register the endpoints; they use @p app until the process exits. */
int dnsb_telemetry_init(struct dnsb_app *app);

#endif
