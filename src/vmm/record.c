/* The record file's parser (record.h): strict, so that a file that is not exactly what
 * --record writes is refused with the line that is wrong, never half used. */
#include "record.h"
#include "msg.h"

#include <stdlib.h>
#include <string.h>

uint64_t vmm_fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void vmm_record_free(struct vmm_record *r)
{
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i].data);
	free(r->in);
	memset(r, 0, sizeof(*r));
}

/* A decimal number ending at a space or the end of the field; *p moves past it. */
static bool number(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		s++;
	}
	if (s < end && *s != ' ')
		return false;
	*out = v;
	*p = s < end ? s + 1 : s;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 16 lowercase hex digits, the rest of the line. */
static bool hash(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (end - s != 16)
		return false;
	for (; s < end; s++) {
		int d = hexval(*s);

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool key(const char **p, const char *end, const char *k)
{
	size_t n = strlen(k);

	if ((size_t)(end - *p) <= n || memcmp(*p, k, n) != 0 || (*p)[n] != ' ')
		return false;
	*p += n + 1;
	return true;
}

static int add_input(struct vmm_record *r, const char *s, const char *end, char *err, size_t errlen,
		     unsigned line)
{
	struct vmm_record_input in;
	size_t n;

	if (!number(&s, end, &in.step) || !number(&s, end, &in.insns))
		return vmm_fail(err, errlen, "line %u: input wants STEP INSNS HEX", line);
	n = (size_t)(end - s);
	if (n == 0 || n % 2 || n / 2 > VMM_RECORD_MAX_INPUT)
		return vmm_fail(err, errlen, "line %u: input bytes must be 1 to %u hex pairs", line,
				VMM_RECORD_MAX_INPUT);
	if (r->nin && in.step <= r->in[r->nin - 1].step)
		return vmm_fail(err, errlen, "line %u: input steps must increase", line);
	in.len = (uint32_t)(n / 2);
	in.data = malloc(in.len);
	if (!in.data)
		return vmm_fail(err, errlen, "out of memory");
	for (uint32_t i = 0; i < in.len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(in.data);
			return vmm_fail(err, errlen, "line %u: bad hex in input bytes", line);
		}
		in.data[i] = (uint8_t)(hi << 4 | lo);
	}
	if (r->nin == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct vmm_record_input *p = realloc(r->in, cap * sizeof(*p));

		if (!p) {
			free(in.data);
			return vmm_fail(err, errlen, "out of memory");
		}
		r->in = p;
		r->cap = cap;
	}
	r->in[r->nin++] = in;
	return 0;
}

enum { SEEN_SEED = 1, SEEN_EPOCH = 2, SEEN_CPUS = 4, SEEN_DEV = 8, SEEN_IMAGE = 16 };

static int parse_line(struct vmm_record *r, const char *s, const char *end, unsigned *seen,
		      char *err, size_t errlen, unsigned line)
{
	uint64_t v, idx;
	unsigned bit = 0;

	if (key(&s, end, "input"))
		return add_input(r, s, end, err, errlen, line);
	if (key(&s, end, "seed"))
		bit = SEEN_SEED;
	else if (key(&s, end, "epoch"))
		bit = SEEN_EPOCH;
	else if (key(&s, end, "cpus"))
		bit = SEEN_CPUS;
	else if (key(&s, end, "input-device"))
		bit = SEEN_DEV;
	else if (key(&s, end, "image"))
		bit = SEEN_IMAGE;
	else if (key(&s, end, "disk")) {
		if (!number(&s, end, &idx) || idx != r->ndisks || idx >= VMM_MAX_DISKS ||
		    !hash(s, end, &r->disk_hash[idx]))
			return vmm_fail(err, errlen, "line %u: disk wants INDEX (in order) HASH",
					line);
		r->ndisks++;
		return 0;
	} else
		return vmm_fail(err, errlen, "line %u: unknown item", line);
	if (*seen & bit)
		return vmm_fail(err, errlen, "line %u: item given twice", line);
	*seen |= bit;
	switch (bit) {
	case SEEN_SEED:
		if (!number(&s, end, &r->seed) || s != end)
			return vmm_fail(err, errlen, "line %u: seed wants a number", line);
		return 0;
	case SEEN_EPOCH:
		if (!number(&s, end, &r->epoch) || s != end || r->epoch > (1ULL << 40))
			return vmm_fail(err, errlen, "line %u: epoch wants seconds", line);
		return 0;
	case SEEN_CPUS:
		if (!number(&s, end, &v) || s != end || v < 1 || v > VMM_MAX_CPUS)
			return vmm_fail(err, errlen, "line %u: cpus wants 1 to %u", line,
					VMM_MAX_CPUS);
		r->cpus = (unsigned)v;
		return 0;
	case SEEN_DEV:
		if ((size_t)(end - s) >= sizeof(r->input_dev))
			return vmm_fail(err, errlen,
					"line %u: input-device wants pl011, virtio or none", line);
		memcpy(r->input_dev, s, (size_t)(end - s));
		r->input_dev[end - s] = '\0';
		if (strcmp(r->input_dev, "pl011") && strcmp(r->input_dev, "virtio") &&
		    strcmp(r->input_dev, "none"))
			return vmm_fail(err, errlen,
					"line %u: input-device wants pl011, virtio or none", line);
		return 0;
	default:
		if (!hash(s, end, &r->image_hash))
			return vmm_fail(err, errlen, "line %u: image wants 16 hex digits", line);
		return 0;
	}
}

int vmm_record_parse(const char *text, size_t len, struct vmm_record *r, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	size_t mlen = strlen(VMM_RECORD_MAGIC);
	unsigned seen = 0, line = 1;

	memset(r, 0, sizeof(*r));
	if (len < mlen || memcmp(text, VMM_RECORD_MAGIC, mlen) != 0 ||
	    (len > mlen && text[mlen] != '\n'))
		return vmm_fail(err, errlen, "not a gzvmm record file (no '%s' line)",
				VMM_RECORD_MAGIC);
	p += len > mlen ? mlen + 1 : mlen;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		line++;
		if (memchr(p, '\0', (size_t)(eol - p))) {
			vmm_record_free(r);
			return vmm_fail(err, errlen, "line %u: a NUL byte", line);
		}
		if (parse_line(r, p, eol, &seen, err, errlen, line) != 0) {
			vmm_record_free(r);
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	if (seen != (SEEN_SEED | SEEN_EPOCH | SEEN_CPUS | SEEN_DEV | SEEN_IMAGE)) {
		vmm_record_free(r);
		return vmm_fail(err, errlen,
				"incomplete record: seed, epoch, cpus, input-device and image "
				"are all needed");
	}
	return 0;
}
