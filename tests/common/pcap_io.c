/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_io.h"

#define MAGIC_US 0xa1b2c3d4u
#define MAGIC_NS 0xa1b23c4du
#define MAX_SNAP (256u * 1024u)

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

int pcap_read_all(const char *path, struct pcap_file *pf)
{
	uint32_t gh[6], rh[4];
	FILE *f = fopen(path, "rb");

	memset(pf, 0, sizeof(*pf));
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fread(gh, sizeof(gh), 1, f) != 1)
		goto bad;
	int swap = 0, ns = 0;
	if (gh[0] == MAGIC_US || gh[0] == MAGIC_NS) {
		ns = gh[0] == MAGIC_NS;
	} else if (swap32(gh[0]) == MAGIC_US || swap32(gh[0]) == MAGIC_NS) {
		swap = 1;
		ns = swap32(gh[0]) == MAGIC_NS;
	} else {
		goto bad;
	}
	pf->linktype = swap ? swap32(gh[5]) : gh[5];

	uint32_t cap = 0;
	while (fread(rh, sizeof(rh), 1, f) == 1) {
		for (int i = 0; swap && i < 4; i++)
			rh[i] = swap32(rh[i]);
		if (rh[2] > MAX_SNAP)
			goto bad;
		if (pf->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct pcap_pkt *np = realloc(pf->pkts, cap * sizeof(*np));
			if (!np)
				goto bad;
			pf->pkts = np;
		}
		struct pcap_pkt *p = &pf->pkts[pf->n];
		p->ts_ns = (uint64_t)rh[0] * 1000000000u + (uint64_t)rh[1] * (ns ? 1 : 1000);
		p->len = rh[2];
		p->orig_len = rh[3];
		p->data = malloc(p->len ? p->len : 1);
		if (!p->data || (p->len && fread(p->data, p->len, 1, f) != 1)) {
			free(p->data);
			goto bad;
		}
		pf->n++;
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "%s: not a readable pcap file\n", path);
	fclose(f);
	pcap_free(pf);
	return -1;
}

void pcap_free(struct pcap_file *pf)
{
	for (uint32_t i = 0; i < pf->n; i++)
		free(pf->pkts[i].data);
	free(pf->pkts);
	memset(pf, 0, sizeof(*pf));
}

FILE *pcap_write_open(const char *path)
{
	const uint32_t gh[6] = { MAGIC_NS, 0x00040002u, 0, 0, MAX_SNAP, 1 };
	FILE *f = fopen(path, "wb");

	if (f && fwrite(gh, sizeof(gh), 1, f) != 1) {
		fclose(f);
		return NULL;
	}
	return f;
}

int pcap_write_pkt(FILE *f, uint64_t ts_ns, const uint8_t *data, uint32_t len)
{
	uint32_t rh[4] = { (uint32_t)(ts_ns / 1000000000u), (uint32_t)(ts_ns % 1000000000u),
			   len, len };

	if (fwrite(rh, sizeof(rh), 1, f) != 1 || (len && fwrite(data, len, 1, f) != 1))
		return -1;
	return 0;
}
