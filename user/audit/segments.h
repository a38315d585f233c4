/* segments.h: the audit directory's segment files: naming, listing, reading, compressing. */
#ifndef MCPWARDEN_SEGMENTS_H
#define MCPWARDEN_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SEG_PREFIX	"seg-"
#define SEG_LIVE_EXT	".jsonl"
#define SEG_GZ_EXT	".jsonl.gz"

struct segment {
	char name[64];		/* file name inside the directory */
	uint64_t first_seq;	/* from the name */
	bool compressed;
};

/* Lists dir's segments in seq order; returns the count, or -1 (logged). *out is malloc'd. */
int segments_list(const char *dir, struct segment **out);
#define SEGMENT_READ_MAX	(1u << 30)	/* the most a segment may hold decompressed, for `audit verify` */
#define SEGMENT_MAX_BYTES	(SEGMENT_READ_MAX / 2)	/* the largest --audit-segment-bytes (the default: 16 MiB) */

/* Reads a whole segment (gunzipping .gz) into a NUL-terminated buffer; -1 (logged), also when it holds more than
 * SEGMENT_READ_MAX bytes (`audit verify` runs as root over files an attacker may have written). */
int segment_read(const char *dir, const struct segment *seg, char **text, size_t *len);
/* Compresses dir/name to dir/name.gz (mode 0600, fsynced), then removes dir/name, holding an exclusive flock
 * on dir/name throughout: 0 also when another compressor holds it (that one does it), -1 (logged) when it
 * could not be done (dir/name then stays, whole and uncompressed; a partial name.gz.tmp is removed). */
int segment_compress(const char *dir, const char *name);
/* Compresses every plain segment of dir older than `live` (leftovers of a crash, or of a compressor that was killed,
 * as well as the one a rotation just closed; a newer one is a later rotation's live segment, made while this child
 * ran), in a child process that closes every descriptor but 0-2
 * first: a 16 MiB segment takes the CPU for about half a second, which the daemon's loop spends on its peers
 * meanwhile. The child's pid, for segment_compress_wait; 0 when fork failed (logged) and it was done here. */
pid_t segment_compress_child(const char *dir, const char *live);
/* Reaps compressor `pid` (0: none), waiting for it when `block`. 0 once it ended, `pid` while it runs. */
pid_t segment_compress_wait(pid_t pid, bool block);
/* Writes the live segment's name for a first seq into buf. */
void segment_live_name(char *buf, size_t sz, uint64_t first_seq);

#endif
