/* Keys written as text: the hexadecimal form gz-sign writes (one line), read by gzhyp from its
 * command line and by gzvmm from a key file. No secret goes through it (public keys only), so
 * it may branch on the digits. */
#ifndef GZCRYPTO_HEX_H
#define GZCRYPTO_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes exactly 2 * N hex digits (either case) at TEXT into OUT. The digits may be
 * followed by a line end ("\n" or "\r\n") and nothing else, within LEN bytes; true on
 * success. On failure OUT is undefined. */
bool gzcrypto_hex_decode(uint8_t *out, size_t n, const char *text, size_t len);

#endif
