/* seal.c: the sealing key's evolution and the mac of a chain head, through libcrypto; the key as hex. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "audit/seal.h"

#define SEAL_LABEL	"mcpwarden-seal"

int seal_evolve(struct seal_key *k)
{
	unsigned char in[sizeof(SEAL_LABEL) - 1 + SEAL_KEY_BYTES], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok;

	memcpy(in, SEAL_LABEL, sizeof(SEAL_LABEL) - 1);
	memcpy(in + sizeof(SEAL_LABEL) - 1, k->key, SEAL_KEY_BYTES);
	ok = EVP_Digest(in, sizeof(in), md, &mdlen, EVP_sha256(), NULL) && mdlen == SEAL_KEY_BYTES;
	explicit_bzero(in, sizeof(in));
	explicit_bzero(k->key, sizeof(k->key));
	if (ok) {
		memcpy(k->key, md, SEAL_KEY_BYTES);
		k->epoch++;
	}
	explicit_bzero(md, sizeof(md));
	return ok ? 0 : -1;
}

int seal_mac(const struct seal_key *k, uint64_t seq, const char *hash, const char *ts,
	     char mac[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char msg[sizeof(SEAL_LABEL) + 2 * 21 + SHA256_HEX_LEN + SEAL_TS_MAX + 2];
	int n = strlen(ts) < SEAL_TS_MAX ?
		snprintf(msg, sizeof(msg), SEAL_LABEL " %" PRIu64 " %" PRIu64 " %s %s", k->epoch, seq, hash, ts) : -1;

	mac[0] = '\0';
	if (n < 0 || (size_t)n >= sizeof(msg) ||
	    !HMAC(EVP_sha256(), k->key, SEAL_KEY_BYTES, (const unsigned char *)msg, (size_t)n, md, &mdlen) ||
	    mdlen != 32) {
		explicit_bzero(md, sizeof(md));
		return -1;
	}
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(mac + 2 * i, 3, "%02x", md[i]);
	explicit_bzero(md, sizeof(md));
	return 0;
}

int seal_parse_hex(const char *hex, struct seal_key *k)
{
	size_t n = strcspn(hex, "\n");

	k->epoch = 0;
	if (n != SEAL_HEX_LEN || (hex[n] && hex[n + 1]))
		return -1;	/* one newline at most, and last */
	for (size_t i = 0; i < n; i++) {
		char c = hex[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0) {
			explicit_bzero(k->key, sizeof(k->key));
			return -1;
		}
		k->key[i / 2] = (unsigned char)(i % 2 ? (k->key[i / 2] << 4) | v : v);
	}
	return 0;
}

void seal_hex(const struct seal_key *k, char hex[SEAL_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SEAL_KEY_BYTES; i++) {
		hex[2 * i] = digits[k->key[i] >> 4];
		hex[2 * i + 1] = digits[k->key[i] & 15];
	}
	hex[SEAL_HEX_LEN] = '\0';
}
