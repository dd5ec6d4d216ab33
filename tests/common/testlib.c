/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_io.h"
#include "testlib.h"

const char *fx_data_dir(void)
{
	const char *d = getenv("DNSB_TEST_DATA");
	return d && *d ? d : "tests/data";
}

void fx_load(const char *name, unsigned idx, struct fx *out)
{
	fx_load_from("core", name, idx, out);
}

unsigned fx_load_from(const char *dir, const char *name, unsigned idx, struct fx *out)
{
	char path[512];
	struct pcap_file pf;

	snprintf(path, sizeof(path), "%s/%s/%s.pcap", fx_data_dir(), dir, name);
	if (pcap_read_all(path, &pf) != 0 || idx >= pf.n || pf.pkts[idx].len > FX_CAP) {
		fprintf(stderr, "fixture %s frame %u missing\n", path, idx);
		abort();
	}
	memset(out, 0, sizeof(*out));
	out->len = pf.pkts[idx].len;
	memcpy(out->buf, pf.pkts[idx].data, out->len);
	unsigned n = pf.n;
	pcap_free(&pf);
	return n;
}

/* Reference one's complement sum: word by word, folded at the end. */
static uint64_t ref_sum(const uint8_t *p, uint32_t n)
{
	uint64_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint64_t)p[i] << 8;
	return s;
}

static uint16_t ref_fold(uint64_t s)
{
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

int ref_udp_checksum_ok(const uint8_t *f, uint32_t l3, uint32_t l4)
{
	uint32_t ulen = (uint32_t)f[l4 + 4] << 8 | f[l4 + 5];
	uint64_t s;

	if (f[l4 + 6] == 0 && f[l4 + 7] == 0)
		return 2;
	if ((f[l3] >> 4) == 4)
		s = ref_sum(f + l3 + 12, 8);
	else
		s = ref_sum(f + l3 + 8, 32);
	s += 17 + ulen;
	s += ref_sum(f + l4, ulen);
	return ref_fold(s) == 0xffff;
}

int ref_tcp_checksum_ok(const uint8_t *f, uint32_t l3, uint32_t l4, uint32_t seglen)
{
	uint64_t s = (f[l3] >> 4) == 4 ? ref_sum(f + l3 + 12, 8) : ref_sum(f + l3 + 8, 32);
	s += 6 + seglen + ref_sum(f + l4, seglen);
	return ref_fold(s) == 0xffff;
}

int ref_ip4_checksum_ok(const uint8_t *f, uint32_t l3)
{
	return ref_fold(ref_sum(f + l3, (uint32_t)(f[l3] & 0xf) * 4)) == 0xffff;
}

uint64_t t_rand(uint64_t *st)
{
	uint64_t x = *st;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return x * 0x2545F4914F6CDD1DULL;
}
