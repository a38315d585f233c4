/* loader_files.c: the files of this host's dynamic loaders, looked for at most once a second. */
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "common/log.h"
#include "daemon/calls/file_id.h"
#include "daemon/calls/loader_files.h"
#include "daemon/calls/loaders.h"

static struct {
	struct loader_file *v;
	size_t n, cap;
	uint64_t at_ms;		/* CLOCK_MONOTONIC of the last look; 0: none yet */
} found;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + 1;	/* never 0 */
}

/* Adds the regular file `path` once. false on OOM. */
static bool add(const char *path)
{
	struct loader_file f;
	mode_t type;

	if (file_id(path, &f.dev, &f.ino, &type) || type != S_IFREG)
		return true;
	for (size_t i = 0; i < found.n; i++)
		if (found.v[i].dev == f.dev && found.v[i].ino == f.ino)
			return true;
	if (found.n == found.cap) {
		size_t cap = found.cap ? 2 * found.cap : 16;
		struct loader_file *v = reallocarray(found.v, cap, sizeof(*v));

		if (!v)
			return false;
		found.v = v;
		found.cap = cap;
	}
	found.v[found.n++] = f;
	return true;
}

/* Adds the files glob `pattern` matches. 0, or -1 (why set). */
static int add_glob(const char *pattern, char *why, size_t whysize)
{
	glob_t g;
	int r = glob(pattern, GLOB_NOSORT, NULL, &g);

	if (r == GLOB_NOMATCH)
		return 0;
	if (r) {
		snprintf(why, whysize, "dynamic loaders '%s': glob failed", pattern);
		return -1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (!add(g.gl_pathv[i])) {
			snprintf(why, whysize, "dynamic loaders '%s': out of memory", pattern);
			globfree(&g);
			return -1;
		}
	globfree(&g);
	return 0;
}

static int look(char *why, size_t whysize)
{
	char interp[4096], ewhy[300];
	int r = loader_of("/bin/sh", interp, sizeof(interp), ewhy, sizeof(ewhy));

	found.n = 0;
	found.at_ms = 0;
	if (r < 0)
		log_warnx("the dynamic loader of /bin/sh: %s (the usual places are still denied)", ewhy);
	if (r > 0 && add_glob(interp, why, whysize))
		return -1;
	for (size_t i = 0; loader_globs[i]; i++)
		if (add_glob(loader_globs[i], why, whysize))
			return -1;
	found.at_ms = now_ms();
	return 0;
}

int loader_files(const struct loader_file **files, size_t *n, char *why, size_t whysize)
{
	if ((!found.at_ms || now_ms() - found.at_ms >= LOADER_FILES_MS) && look(why, whysize))
		return -1;
	*files = found.v;
	*n = found.n;
	return 0;
}
