/* Fuzz target: the record file parser of gzvmm --replay (src/vmm/record.c). Invariants: an
 * accepted file has every item within its limits (cpus 1..8, a known input device, disks in
 * order, input lines of 1..4096 bytes at strictly increasing steps) and, written back in the
 * format --record uses, parses to the same record; a refused one yields exactly one
 * non-empty line of message. */
/* fuzz-libs: gzvmm_lib */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

static char *write_back(const struct vmm_record *r, size_t *len)
{
	size_t cap = 256 + r->ndisks * 32, n;
	char *s, *p;

	for (size_t i = 0; i < r->nin; i++)
		cap += 64 + 2 * (size_t)r->in[i].len;
	s = malloc(cap);
	if (!s)
		abort();
	p = s;
	p += sprintf(p, "%s\nseed %llu\nepoch %llu\ncpus %u\ninput-device %s\nimage %016llx\n",
		     VMM_RECORD_MAGIC, (unsigned long long)r->seed, (unsigned long long)r->epoch,
		     r->cpus, r->input_dev, (unsigned long long)r->image_hash);
	for (unsigned i = 0; i < r->ndisks; i++)
		p += sprintf(p, "disk %u %016llx\n", i, (unsigned long long)r->disk_hash[i]);
	for (size_t i = 0; i < r->nin; i++) {
		p += sprintf(p, "input %llu %llu ", (unsigned long long)r->in[i].step,
			     (unsigned long long)r->in[i].insns);
		for (uint32_t k = 0; k < r->in[i].len; k++)
			p += sprintf(p, "%02x", r->in[i].data[k]);
		*p++ = '\n';
	}
	n = (size_t)(p - s);
	if (n >= cap)
		abort();
	*len = n;
	return s;
}

static void same(const struct vmm_record *a, const struct vmm_record *b)
{
	if (a->seed != b->seed || a->epoch != b->epoch || a->cpus != b->cpus ||
	    strcmp(a->input_dev, b->input_dev) || a->image_hash != b->image_hash ||
	    a->ndisks != b->ndisks || a->nin != b->nin)
		abort();
	for (unsigned i = 0; i < a->ndisks; i++)
		if (a->disk_hash[i] != b->disk_hash[i])
			abort();
	for (size_t i = 0; i < a->nin; i++)
		if (a->in[i].step != b->in[i].step || a->in[i].insns != b->in[i].insns ||
		    a->in[i].len != b->in[i].len ||
		    memcmp(a->in[i].data, b->in[i].data, a->in[i].len))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm_record r, again;
	char err[256], err2[256];
	size_t len;
	char *text;

	memset(err, 0x55, sizeof(err));
	if (vmm_record_parse((const char *)data, size, &r, err, sizeof(err)) != 0) {
		size_t n = strnlen(err, sizeof(err));

		if (n == 0 || n == sizeof(err) || strchr(err, '\n'))
			abort();
		if (r.in || r.nin)
			abort(); /* freed on failure */
		return 0;
	}
	if (r.cpus < 1 || r.cpus > VMM_MAX_CPUS || r.ndisks > VMM_MAX_DISKS)
		abort();
	if (strcmp(r.input_dev, "pl011") && strcmp(r.input_dev, "virtio") &&
	    strcmp(r.input_dev, "none"))
		abort();
	for (size_t i = 0; i < r.nin; i++)
		if (r.in[i].len < 1 || r.in[i].len > VMM_RECORD_MAX_INPUT ||
		    (i && r.in[i].step <= r.in[i - 1].step))
			abort();
	text = write_back(&r, &len);
	if (vmm_record_parse(text, len, &again, err2, sizeof(err2)) != 0)
		abort();
	same(&r, &again);
	free(text);
	vmm_record_free(&again);
	vmm_record_free(&r);
	return 0;
}
