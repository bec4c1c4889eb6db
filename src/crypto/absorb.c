/* The block buffering and padding SHA-256 and SHA-512 share (FIPS 180-4 §5.1, §6.2, §6.4). */
#include "internal.h"

void gzcrypto_absorb(void *state, void (*block)(void *state, const uint8_t *blk), uint8_t *buf,
		     size_t block_size, size_t *used, const uint8_t *data, size_t len)
{
	if (*used) {
		while (len && *used < block_size) {
			buf[(*used)++] = *data++;
			len--;
		}
		if (*used < block_size)
			return;
		block(state, buf);
		*used = 0;
	}
	for (; len >= block_size; data += block_size, len -= block_size)
		block(state, data);
	for (size_t i = 0; i < len; i++)
		buf[i] = data[i];
	*used = len;
}

void gzcrypto_pad(void *state, void (*block)(void *state, const uint8_t *blk), uint8_t *buf,
		  size_t block_size, size_t used, uint64_t total_bytes, size_t len_bytes)
{
	buf[used++] = 0x80;
	if (used > block_size - len_bytes) {
		while (used < block_size)
			buf[used++] = 0;
		block(state, buf);
		used = 0;
	}
	while (used < block_size - 8)
		buf[used++] = 0;
	/* The bit count: a 64-bit byte count times 8 needs up to 67 bits; the bits above 64 land
	 * in the low byte of the field's upper part (zero for SHA-256, whose field is 8 bytes and
	 * whose messages are limited to 2^61 bytes). */
	if (len_bytes > 8)
		buf[block_size - 9] = (uint8_t)(total_bytes >> 61);
	gzcrypto_store_be64(buf + block_size - 8, total_bytes << 3);
	block(state, buf);
}
