/* HMAC-SHA-256 (RFC 2104): H((K ^ opad) | H((K ^ ipad) | m)). Both pads are absorbed at init,
 * so the key itself is not kept; every copy of it is wiped. */
#include <gzcrypto/ct.h>
#include <gzcrypto/hmac.h>

void gzcrypto_hmac_sha256_init(struct gzcrypto_hmac_sha256 *c, const void *key, size_t key_len)
{
	uint8_t k[GZCRYPTO_SHA256_BLOCK], pad[GZCRYPTO_SHA256_BLOCK];
	const uint8_t *kb = key;

	for (size_t i = 0; i < sizeof(k); i++)
		k[i] = 0;
	if (key_len > sizeof(k)) {
		gzcrypto_sha256(k, key, key_len);
	} else {
		for (size_t i = 0; i < key_len; i++)
			k[i] = kb[i];
	}
	for (size_t i = 0; i < sizeof(k); i++)
		pad[i] = k[i] ^ 0x36;
	gzcrypto_sha256_init(&c->inner);
	gzcrypto_sha256_update(&c->inner, pad, sizeof(pad));
	for (size_t i = 0; i < sizeof(k); i++)
		pad[i] = k[i] ^ 0x5c;
	gzcrypto_sha256_init(&c->outer);
	gzcrypto_sha256_update(&c->outer, pad, sizeof(pad));
	gzcrypto_wipe(k, sizeof(k));
	gzcrypto_wipe(pad, sizeof(pad));
}

void gzcrypto_hmac_sha256_update(struct gzcrypto_hmac_sha256 *c, const void *data, size_t len)
{
	gzcrypto_sha256_update(&c->inner, data, len);
}

void gzcrypto_hmac_sha256_final(struct gzcrypto_hmac_sha256 *c,
				uint8_t out[GZCRYPTO_HMAC_SHA256_SIZE])
{
	uint8_t ih[GZCRYPTO_SHA256_SIZE];

	gzcrypto_sha256_final(&c->inner, ih);
	gzcrypto_sha256_update(&c->outer, ih, sizeof(ih));
	gzcrypto_sha256_final(&c->outer, out);
	gzcrypto_wipe(ih, sizeof(ih));
}

void gzcrypto_hmac_sha256(uint8_t out[GZCRYPTO_HMAC_SHA256_SIZE], const void *key, size_t key_len,
			  const void *data, size_t len)
{
	struct gzcrypto_hmac_sha256 c;

	gzcrypto_hmac_sha256_init(&c, key, key_len);
	gzcrypto_hmac_sha256_update(&c, data, len);
	gzcrypto_hmac_sha256_final(&c, out);
}
