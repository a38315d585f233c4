/* segments.c: the audit directory's segment files: naming, listing, reading, compressing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "audit/segments.h"
#include "common/log.h"

void segment_live_name(char *buf, size_t sz, uint64_t first_seq)
{
	snprintf(buf, sz, SEG_PREFIX "%020" PRIu64 SEG_LIVE_EXT, first_seq);
}

static int by_seq(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

static bool parse_name(const char *name, struct segment *seg)
{
	size_t n = strlen(name), pl = strlen(SEG_PREFIX);
	char *end;

	if (n >= sizeof(seg->name) || strncmp(name, SEG_PREFIX, pl))
		return false;
	seg->first_seq = strtoull(name + pl, &end, 10);
	if (end == name + pl)
		return false;
	if (!strcmp(end, SEG_GZ_EXT))
		seg->compressed = true;
	else if (!strcmp(end, SEG_LIVE_EXT))
		seg->compressed = false;
	else
		return false;
	strcpy(seg->name, name);
	return true;
}

int segments_list(const char *dir, struct segment **out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0, cap = 16;
	struct segment *v;

	*out = NULL;
	if (!d) {
		log_warn("audit directory %s", dir);
		return -1;
	}
	v = malloc(cap * sizeof(*v));
	while (v && (de = readdir(d))) {
		if (n == cap) {
			struct segment *nv = realloc(v, (cap *= 2) * sizeof(*v));

			if (!nv) {
				free(v);
				v = NULL;
				break;
			}
			v = nv;
		}
		if (parse_name(de->d_name, &v[n]))
			n++;
	}
	closedir(d);
	if (!v) {
		log_warnx("audit directory %s: out of memory", dir);
		return -1;
	}
	qsort(v, n, sizeof(*v), by_seq);
	/* A crash between compressing a segment and removing the original leaves both: the
	 * complete .gz counts, the leftover is skipped. */
	for (size_t i = 0; i + 1 < n; i++)
		if (v[i].first_seq == v[i + 1].first_seq && v[i].compressed != v[i + 1].compressed) {
			size_t drop = v[i].compressed ? i + 1 : i;

			memmove(&v[drop], &v[drop + 1], (n - drop - 1) * sizeof(*v));
			n--;
		}
	*out = v;
	return (int)n;
}

int segment_read(const char *dir, const struct segment *seg, char **text, size_t *len)
{
	char path[4096];
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	gzFile gz;
	int n;

	*len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, seg->name);
	gz = gzopen(path, "rb");	/* reads plain files too */
	if (!gz || !buf) {
		log_warn("audit segment %s", path);
		free(buf);
		if (gz)
			gzclose(gz);
		return -1;
	}
	while ((n = gzread(gz, buf + *len, (unsigned)(cap - *len - 1))) > 0) {
		*len += (size_t)n;
		if (cap - *len < 2) {
			char *nb = cap < SEGMENT_READ_MAX ? realloc(buf, cap *= 2) : NULL;

			if (!nb) {
				if (cap >= SEGMENT_READ_MAX)
					log_warnx("audit segment %s: more than %u MiB once decompressed: not read (a gzip "
						  "bomb, or not a segment of ours)", path, SEGMENT_READ_MAX >> 20);
				n = -2;
				break;
			}
			buf = nb;
		}
	}
	if (n == -2) {
		gzclose(gz);
		free(buf);
		return -1;
	}
	if (n < 0) {
		int e;

		log_warnx("audit segment %s: %s", path, gzerror(gz, &e));
		gzclose(gz);
		free(buf);
		return -1;
	}
	gzclose(gz);
	buf[*len] = '\0';
	*text = buf;
	return 0;
}

int segment_compress(const char *dir, const char *name)
{
	char src[4096], dst[4096], tmp[4200], buf[1 << 16];
	int in, out, rc = -1;
	gzFile gz;
	ssize_t n;

	snprintf(src, sizeof(src), "%s/%s", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s.gz", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/%s.gz.tmp", dir, name);	/* not a segment name: never listed */
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		log_warn("compressing audit segment %s", src);
		return -1;
	}
	/* One compressor per segment: a crashed daemon's child may still be at it, into the same .gz.tmp. */
	if (flock(in, LOCK_EX | LOCK_NB) < 0) {
		close(in);
		if (errno == EWOULDBLOCK) {
			log_warnx("audit segment %s: another process holds its lock (a compressor); left to it", src);
			return 0;
		}
		log_warn("compressing audit segment %s: flock", src);
		return -1;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		log_warn("compressing audit segment %s: %s", src, tmp);
		close(in);
		return -1;
	}
	gz = gzdopen(dup(out), "wb6");
	while (gz && (n = read(in, buf, sizeof(buf))) > 0)
		if (gzwrite(gz, buf, (unsigned)n) != n) {
			gzclose(gz);
			gz = NULL;
		}
	if (!gz || gzclose(gz) != Z_OK || fsync(out) < 0 || rename(tmp, dst) < 0) {
		log_warnx("compressing audit segment %s failed; it stays uncompressed", src);
		unlink(tmp);
	} else if (unlink(src) < 0) {
		log_warn("removing %s after compressing it", src);
	} else {
		rc = 0;
	}
	close(out);
	close(in);	/* the lock goes last */
	return rc;
}

/* Compresses every plain segment of dir but `live`. 0, or -1 when one could not be (logged). */
static int compress_closed(const char *dir, const char *live)
{
	struct segment *segs, l;
	int n = segments_list(dir, &segs), rc = 0;

	if (n < 0)
		return -1;
	if (!parse_name(live, &l)) {
		log_warnx("audit compressor: %s is not a segment's name", live);
		free(segs);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (!segs[i].compressed && segs[i].first_seq < l.first_seq && segment_compress(dir, segs[i].name))
			rc = -1;
	free(segs);
	return rc;
}

pid_t segment_compress_child(const char *dir, const char *live)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* The daemon's peers must see its sockets close when it closes them. */
		if (close_range(3, ~0u, 0) < 0) {
			log_warn("audit compressor: close the daemon's descriptors");
			_exit(1);
		}
		_exit(compress_closed(dir, live) ? 1 : 0);
	}
	if (pid > 0)
		return pid;
	log_warn("fork to compress the closed audit segments of %s: compressing them here", dir);
	compress_closed(dir, live);
	return 0;
}

pid_t segment_compress_wait(pid_t pid, bool block)
{
	pid_t r;

	if (pid <= 0)
		return 0;
	do
		r = waitpid(pid, NULL, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		log_warn("audit segment compressor pid %d", pid);
	return r == 0 ? pid : 0;
}
