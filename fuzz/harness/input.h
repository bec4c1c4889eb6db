/* The fuzz input as a stream of little-endian integers, for the targets that decode it field
 * by field (fuzz_hostcall, fuzz_chan): past its end every read is zero, so any input is a
 * whole run. Header-only: the target points ip and in_n at its input. */
#ifndef FUZZ_HARNESS_INPUT_H
#define FUZZ_HARNESS_INPUT_H

#include <stddef.h>
#include <stdint.h>

static const uint8_t *ip;
static size_t in_n;

/* The next @bytes bytes (at most 8) as a little-endian integer. */
static inline uint64_t take(unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++, in_n ? (ip++, in_n--) : 0)
		v |= (uint64_t)(in_n ? *ip : 0) << (8 * i);
	return v;
}

#endif
