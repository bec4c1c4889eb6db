/* HKDF-SHA-256 (RFC 5869 §2.2, §2.3). */
#include <gzcrypto/ct.h>
#include <gzcrypto/hkdf.h>

void gzcrypto_hkdf_sha256_extract(uint8_t prk[GZCRYPTO_SHA256_SIZE], const void *salt,
				  size_t salt_len, const void *ikm, size_t ikm_len)
{
	static const uint8_t zeros[GZCRYPTO_SHA256_SIZE];

	if (!salt || !salt_len) {
		salt = zeros;
		salt_len = sizeof(zeros);
	}
	gzcrypto_hmac_sha256(prk, salt, salt_len, ikm, ikm_len);
}

bool gzcrypto_hkdf_sha256_expand(uint8_t *out, size_t out_len, const void *prk, size_t prk_len,
				 const void *info, size_t info_len)
{
	struct gzcrypto_hmac_sha256 c;
	uint8_t t[GZCRYPTO_SHA256_SIZE];
	size_t t_len = 0;

	if (out_len > GZCRYPTO_HKDF_SHA256_MAX)
		return false;
	for (uint8_t n = 1; out_len; n++) {
		/* T(n) = HMAC(PRK, T(n-1) | info | n) */
		gzcrypto_hmac_sha256_init(&c, prk, prk_len);
		gzcrypto_hmac_sha256_update(&c, t, t_len);
		gzcrypto_hmac_sha256_update(&c, info, info_len);
		gzcrypto_hmac_sha256_update(&c, &n, 1);
		gzcrypto_hmac_sha256_final(&c, t);
		t_len = sizeof(t);
		size_t take = out_len < t_len ? out_len : t_len;
		for (size_t i = 0; i < take; i++)
			out[i] = t[i];
		out += take;
		out_len -= take;
	}
	gzcrypto_wipe(t, sizeof(t));
	return true;
}

bool gzcrypto_hkdf_sha256(uint8_t *out, size_t out_len, const void *salt, size_t salt_len,
			  const void *ikm, size_t ikm_len, const void *info, size_t info_len)
{
	uint8_t prk[GZCRYPTO_SHA256_SIZE];
	bool ok;

	if (out_len > GZCRYPTO_HKDF_SHA256_MAX)
		return false;
	gzcrypto_hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len);
	ok = gzcrypto_hkdf_sha256_expand(out, out_len, prk, sizeof(prk), info, info_len);
	gzcrypto_wipe(prk, sizeof(prk));
	return ok;
}
