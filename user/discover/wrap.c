/* wrap.c: rewrites MCP client configs to run each server under `mcpwarden run`, and back, as each home's user. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/printable.h"
#include "discover/configs.h"
#include "discover/replace.h"
#include "discover/wrap.h"
#include "discover/wrap_text.h"
#include "discover/wrapper.h"

struct wrap_run {
	bool unwrap;
	const char *policy_dir;
	FILE *to_parent;	/* in the child: the lines for out */
	FILE *out;		/* in the parent */
	const char *shown;	/* the file being rewritten */
	const char *exe;	/* this mcpwarden's absolute path, resolved as root before the drop, or NULL */
	int failed;
};

/* DIR/NAME.yaml when the user can read it; one there that the user can't read is said, and counts as left undone. */
static bool policy_for(const char *name, char *path, size_t pathlen, void *arg)
{
	struct wrap_run *r = arg;
	char shown[1024];

	if (!wrapper_policy_path(r->policy_dir, name, path, pathlen))
		return false;
	if (access(path, R_OK) == 0)
		return true;
	if (errno != ENOENT) {
		log_warn("%s: server '%s': its policy can't be read as the home's user, so it is not given", path,
			 printable(name, shown, sizeof(shown)));
		r->failed++;
	}
	return false;
}

static void note(const char *name, const char *why, bool left, void *arg)
{
	struct wrap_run *r = arg;
	char shown[1024];

	log_warnx("%s: server '%s' %s: %s", r->shown, printable(name, shown, sizeof(shown)),
		  left ? "left as it is" : "wrapped again, in place of the wrapper it had", why);
	r->failed += left;
}

/* Keeps f's bytes at its backup name, unless an earlier wrap's backup is there: 1 (made now), 0 or -1. */
static int keep_backup(const struct config_file *f, const char *bak)
{
	char shown[PATH_MAX + 32];
	struct stat st;

	snprintf(shown, sizeof(shown), "%s" WRAP_BACKUP_EXT, f->shown);
	if (create_file(f->dirfd, bak, shown, &f->st, f->text, f->len) == 0)
		return 1;
	if (errno != EEXIST)
		return -1;
	if (fstatat(f->dirfd, bak, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		return 0;	/* the original, from an earlier wrap */
	log_warnx("%s: there, but not a regular file: %s left as it is", shown, f->shown);
	return -1;
}

static void wrap_file(const struct config_file *f, void *arg)
{
	struct wrap_run *r = arg;
	const struct wrap_opts o = { .toml = f->kind->toml, .key = f->kind->key, .note = note, .arg = r, .exe = r->exe,
				     .policy = r->policy_dir ? policy_for : NULL };
	char why[256], bak[NAME_MAX + 1], *text, *old;
	size_t len, oldlen, changed;
	struct stat st;
	bool restore = false;
	int made = 0;

	r->shown = f->shown;
	if (!o.exe && !r->unwrap) {
		log_warnx("%s: the path of this mcpwarden (/proc/self/exe) could not be read, and wrapped servers must "
			  "run it: left as it is", f->shown);
		r->failed++;
		return;
	}
	if (geteuid() != 0 && f->st.st_uid != geteuid()) {
		log_warnx("%s: owned by uid %u, not by the home's user (uid %u): left as it is", f->shown,
			  (unsigned)f->st.st_uid, (unsigned)geteuid());
		r->failed++;
		return;
	}
	if (snprintf(bak, sizeof(bak), "%s" WRAP_BACKUP_EXT, f->name) >= (int)sizeof(bak))
		snprintf(why, sizeof(why), "its name is too long for a backup beside it");
	else if ((text = wrap_text(&o, r->unwrap, f->text, f->len, &len, &changed, why, sizeof(why))))
		why[0] = '\0';
	if (why[0]) {
		log_warnx("%s: %s: left as it is", f->shown, why);
		r->failed++;
		return;
	}
	if (r->unwrap && (old = configs_read(f->dirfd, bak, &st, &oldlen))) {
		if (wrap_undoes(&o, f->text, f->len, old, oldlen)) {
			free(text);
			text = old;
			len = oldlen;
			restore = true;
		} else {
			free(old);
		}
	}
	if (len == f->len && !memcmp(text, f->text, len)) {
		free(text);
		return;
	}
	if (!r->unwrap && (made = keep_backup(f, bak)) < 0) {
		r->failed++;
	} else if (replace_file(f, text, len) < 0) {
		if (made > 0 && unlinkat(f->dirfd, bak, 0) < 0)	/* this wrap's backup, of a wrap not made */
			log_warn("%s" WRAP_BACKUP_EXT ": removing it", f->shown);
		r->failed++;
	} else {
		if (restore && unlinkat(f->dirfd, bak, 0) < 0)
			log_warn("%s" WRAP_BACKUP_EXT ": removing it", f->shown);
		fprintf(r->to_parent, "%s: %s %zu server(s)%s\n", f->shown, r->unwrap ? "unwrapped" : "wrapped",
			changed, r->unwrap ? restore ? " (its " WRAP_BACKUP_EXT " put back byte for byte, and removed)" : ""
					   : " (original kept as " WRAP_BACKUP_EXT ")");
	}
	free(text);
}

static void wrap_problem(const char *msg, void *arg)
{
	struct wrap_run *r = arg;

	log_warnx("%s", msg);
	r->failed++;
}

struct home_run {
	const struct home *h;
	struct wrap_run *r;
};

static int wrap_child(void *arg, FILE *to_parent)
{
	struct home_run *hr = arg;
	const struct config_walk w = { .file = wrap_file, .problem = wrap_problem, .arg = hr->r };

	hr->r->to_parent = to_parent;
	configs_walk(hr->h, &w);
	return hr->r->failed ? 1 : 0;
}

static void print_line(char *line, void *arg)
{
	fprintf(((struct wrap_run *)arg)->out, "%s\n", line);
}

static int wrap_home(const struct home *h, void *arg)
{
	struct home_run hr = { .h = h, .r = arg };

	return as_user(&h->user, h->fd, wrap_child, &hr, print_line, arg) != 0;
}

int wrap_homes(char *const *homes, size_t nhomes, bool unwrap, const char *policy_dir, FILE *out)
{
	struct wrap_run r = { .unwrap = unwrap, .policy_dir = policy_dir, .out = out };
	char exe[PATH_MAX];

	/* Here, before any child drops to a user who may not reach the directory it is in. */
	r.exe = realpath("/proc/self/exe", exe);
	return homes_each(homes, nhomes, wrap_home, &r);
}
