/* sha256.h: SHA-256 as lowercase hex, through OpenSSL's libcrypto. */
#ifndef MCPWARDEN_SHA256_H
#define MCPWARDEN_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* Writes 64 hex digits and a NUL into out; returns 0, or -1 when libcrypto fails. */
int sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

#endif
