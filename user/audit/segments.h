/* segments.h: the audit directory's segment files: naming, listing, reading, compressing. */
#ifndef MCPWARDEN_SEGMENTS_H
#define MCPWARDEN_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* Reads a whole segment (gunzipping .gz) into a NUL-terminated buffer; -1 (logged). */
int segment_read(const char *dir, const struct segment *seg, char **text, size_t *len);
/* Compresses dir/name to dir/name.gz (mode 0600, fsynced), then removes dir/name. */
int segment_compress(const char *dir, const char *name);
/* Writes the live segment's name for a first seq into buf. */
void segment_live_name(char *buf, size_t sz, uint64_t first_seq);

#endif
