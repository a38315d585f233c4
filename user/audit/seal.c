/* seal.c: forward-secure sealing keys: generation, evolution, the key file, and the mac of a chain head. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/seal.h"
#include "common/log.h"

#define SEAL_LABEL	"mcpwarden-seal"
#define SEAL_FILE_FMT	"mcpwarden-seal-key v1 epoch %020" PRIu64 " key %s\n"

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int from_hex(const char *hex, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		char c = hex[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0)
			return -1;
		b[i / 2] = (unsigned char)(i % 2 ? (b[i / 2] << 4) | v : v);
	}
	return 0;
}

int seal_parse_hex(const char *hex, struct seal_key *k)
{
	size_t n = strcspn(hex, "\n");

	k->epoch = 0;
	if (n != SEAL_HEX_LEN || (hex[n] && hex[n + 1]))
		return -1;	/* one newline at most, and last */
	return from_hex(hex, k->key, SEAL_KEY_BYTES);
}

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

int seal_mac(const struct seal_key *k, uint64_t seq, const char *hash, char mac[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char msg[160];
	int n = snprintf(msg, sizeof(msg), SEAL_LABEL " %" PRIu64 " %" PRIu64 " %s", k->epoch, seq, hash);

	if (n < 0 || (size_t)n >= sizeof(msg) ||
	    !HMAC(EVP_sha256(), k->key, SEAL_KEY_BYTES, (const unsigned char *)msg, (size_t)n, md, &mdlen) ||
	    mdlen != 32) {
		mac[0] = '\0';
		return -1;
	}
	to_hex(md, mdlen, mac);
	return 0;
}

/* The key file's text for k, SEAL_FILE_LEN bytes and a NUL. */
static void format_file(const struct seal_key *k, char buf[SEAL_FILE_LEN + 1])
{
	char hex[SEAL_HEX_LEN + 1];

	to_hex(k->key, SEAL_KEY_BYTES, hex);
	snprintf(buf, SEAL_FILE_LEN + 1, SEAL_FILE_FMT, k->epoch, hex);
	explicit_bzero(hex, sizeof(hex));
}

static int write_file(int fd, const char *path, const struct seal_key *k)
{
	char buf[SEAL_FILE_LEN + 1];
	ssize_t w;

	format_file(k, buf);
	w = pwrite(fd, buf, SEAL_FILE_LEN, 0);
	explicit_bzero(buf, sizeof(buf));
	if (w != (ssize_t)SEAL_FILE_LEN || fsync(fd) < 0) {
		if (w >= 0 && w != (ssize_t)SEAL_FILE_LEN)
			errno = EIO;
		log_warn("seal key %s: write", path);
		return -1;
	}
	return 0;
}

int seal_keygen(const char *path, char vkey[SEAL_HEX_LEN + 1])
{
	struct seal_key k = { .epoch = 0 };
	int fd, rc;

	if (RAND_bytes(k.key, SEAL_KEY_BYTES) != 1) {
		log_warnx("seal key %s: no random bytes from libcrypto", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("seal key %s", path);
		explicit_bzero(&k, sizeof(k));
		return -1;
	}
	rc = write_file(fd, path, &k);
	close(fd);
	if (rc == 0)
		to_hex(k.key, SEAL_KEY_BYTES, vkey);
	else
		unlink(path);
	explicit_bzero(&k, sizeof(k));
	return rc;
}

/* Parses the key file's text (exactly SEAL_FILE_LEN bytes). 0, or -1. */
static int parse_file(const char *buf, size_t n, struct seal_key *k)
{
	static const char head[] = "mcpwarden-seal-key v1 epoch ";
	const char *p = buf + sizeof(head) - 1;
	char *end;

	if (n != SEAL_FILE_LEN || memcmp(buf, head, sizeof(head) - 1))
		return -1;
	for (int i = 0; i < 20; i++)
		if (p[i] < '0' || p[i] > '9')
			return -1;
	errno = 0;
	k->epoch = strtoull(p, &end, 10);
	if (errno || end != p + 20 || strncmp(end, " key ", 5) || buf[n - 1] != '\n')
		return -1;
	return from_hex(end + 5, k->key, SEAL_KEY_BYTES);
}

int seal_open(struct audit_seal *s, const char *path)
{
	char buf[SEAL_FILE_LEN + 2];
	ssize_t n;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (s->fd < 0) {
		log_warn("seal key %s: open for reading and writing", path);
		return -1;
	}
	n = pread(s->fd, buf, sizeof(buf), 0);
	if (n < 0 || parse_file(buf, (size_t)n, &s->k) < 0) {
		if (n < 0)
			log_warn("seal key %s: read", path);
		else
			log_warnx("seal key %s: not a key file (want \"mcpwarden-seal-key v1 epoch N key HEX\", "
				  "as `mcpwarden audit keygen` writes)", path);
		explicit_bzero(buf, sizeof(buf));
		seal_close(s);
		return -1;
	}
	explicit_bzero(buf, sizeof(buf));
	s->on = true;
	return 0;
}

int seal_advance(struct audit_seal *s)
{
	if (seal_evolve(&s->k) < 0) {
		log_warnx("seal key %s: libcrypto failed to evolve the key: sealing stops", s->path);
		s->on = false;	/* the key is wiped: the records from here on show as unsealed */
		return -1;
	}
	return write_file(s->fd, s->path, &s->k);
}

void seal_close(struct audit_seal *s)
{
	explicit_bzero(&s->k, sizeof(s->k));
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->on = false;
}
