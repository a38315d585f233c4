/* configs.c: finds MCP servers in the config files of every MCP client, for every user, reading each as its user. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cJSON.h>

#include "common/log.h"
#include "common/printable.h"
#include "discover/beneath.h"
#include "discover/configs.h"
#include "discover/wrapper.h"

#define CONFIG_MAX	(16 << 20)

static const struct config_kind home_kinds[] = {
	{ "claude-desktop", ".config/Claude/claude_desktop_config.json", "mcpServers", false },
	{ "claude-code", ".claude.json", "mcpServers", false },
	{ "cursor", ".cursor/mcp.json", "mcpServers", false },
	{ "vscode", ".config/Code/User/mcp.json", "servers", false },
	{ "windsurf", ".codeium/windsurf/mcp_config.json", "mcpServers", false },
	{ "gemini-cli", ".gemini/settings.json", "mcpServers", false },
	{ "codex", ".codex/config.toml", "mcp_servers", true },
};

/* Project-level files, found through Claude Code's list of projects. */
static const struct config_kind project_kinds[] = {
	{ "claude-code-project", ".mcp.json", "mcpServers", false },
	{ "cursor-project", ".cursor/mcp.json", "mcpServers", false },
	{ "vscode-project", ".vscode/mcp.json", "servers", false },
};

#define NKINDS(a) (sizeof(a) / sizeof((a)[0]))

/* A file read already, and how: a file is parsed again when another client reads it for another key (a hard
 * link at both clients' paths), so no view of it hides another's servers. */
struct seen {
	dev_t dev;
	ino_t ino;
	const char *key;
	bool toml, projects;
};

struct walk {
	const struct home *h;
	const struct config_walk *w;
	struct seen seen[64];
	size_t nseen;
};

/* Whether st was read already as k reads it (projects: with its projects); else it is recorded. */
static bool seen_before(struct walk *wk, const struct stat *st, const struct config_kind *k, bool projects)
{
	const struct seen now = { st->st_dev, st->st_ino, k->key, k->toml, projects };

	for (size_t i = 0; i < wk->nseen; i++) {
		const struct seen *s = &wk->seen[i];

		if (s->dev == now.dev && s->ino == now.ino && !strcmp(s->key, now.key) && s->toml == now.toml &&
		    s->projects == now.projects)
			return true;
	}
	if (wk->nseen < NKINDS(wk->seen))
		wk->seen[wk->nseen++] = now;
	return false;
}

/* After w->file: when the file at f's name is no longer f's inode (--wrap replaced it), its other links keep the
 * old one, now a file of its own, so the record of it goes and they are read. */
static void forget_replaced(struct walk *wk, const struct config_file *f)
{
	struct stat now;

	if (fstatat(f->dirfd, f->name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == f->st.st_dev &&
	    now.st_ino == f->st.st_ino)
		return;
	for (size_t i = 0; i < wk->nseen; i++)
		if (wk->seen[i].dev == f->st.st_dev && wk->seen[i].ino == f->st.st_ino)
			wk->seen[i--] = wk->seen[--wk->nseen];
}

/* Reads fd whole, up to CONFIG_MAX bytes; NULL (errno EFBIG when larger). */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap + 1), *nb;
	ssize_t n;

	*len = 0;
	while (buf && (n = read(fd, buf + *len, cap - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		*len += (size_t)n;
		if (*len == cap) {
			if (cap >= CONFIG_MAX) {
				errno = EFBIG;
				break;
			}
			if (!(nb = realloc(buf, cap * 2 + 1)))
				break;
			buf = nb;
			cap *= 2;
		}
	}
	if (!buf || n != 0) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

/* Says "shown: why", or "shown:LINE: what" for a why of "LINE: what". */
static void problem(struct walk *wk, const char *shown, const char *why, bool line)
{
	char msg[8500];

	snprintf(msg, sizeof(msg), "%s:%s%s", shown, line ? "" : " ", why);
	wk->w->problem(msg, wk->w->arg);
}

char *configs_read(int dirfd, const char *name, struct stat *st, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC), saved;
	char *text = NULL;

	if (fd < 0)
		return NULL;
	if (fstat(fd, st) < 0)
		;
	else if (!S_ISREG(st->st_mode))
		errno = EINVAL;
	else
		text = read_all(fd, len);
	saved = errno;
	close(fd);
	errno = saved;
	return text;
}

static void problem_errno(struct walk *wk, const char *shown, int err)
{
	problem(wk, shown, err == ELOOP ? "a symbolic link, or below one: not followed"
		: err == EXDEV ? "outside the home: not read"
		: err == EFBIG ? "larger than 16 MiB: not read"
		: err == EINVAL ? "not a regular file: not read"
		: strerror(err), false);
}

static void visit_projects(struct walk *wk, const struct config_doc *doc);

/* One config file: rel below dir (a directory fd beneath the home), shown as shown. */
static void visit(struct walk *wk, const struct config_kind *k, int dir, const char *rel, const char *shown,
		  bool projects)
{
	const char *slash = strrchr(rel, '/');
	char parent[4096], why[256];
	struct config_file f = { .kind = k, .shown = shown, .name = slash ? slash + 1 : rel };
	struct config_doc doc;
	char *text = NULL;

	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - rel) : 0, rel);
	f.dirfd = beneath_open(dir, parent, O_PATH | O_DIRECTORY, 0);
	if (f.dirfd >= 0)
		text = configs_read(f.dirfd, f.name, &f.st, &f.len);
	if (!text) {
		if (errno != ENOENT)
			problem_errno(wk, shown, errno);
	} else if (seen_before(wk, &f.st, k, projects)) {
		/* a project's file that is the home's own, or two project keys for one directory */
	} else if (config_doc_parse(&doc, k->toml, k->key, text, f.len, why, sizeof(why)) < 0) {
		problem(wk, shown, why, true);
		config_doc_free(&doc);
	} else {
		f.text = text;
		f.doc = &doc;
		wk->w->file(&f, wk->w->arg);
		forget_replaced(wk, &f);
		if (projects)
			visit_projects(wk, &doc);
		config_doc_free(&doc);
	}
	free(text);
	if (f.dirfd >= 0)
		close(f.dirfd);
}

/* dir's path below the home (after its slash), or NULL when it is not below it. */
static const char *below_home(const struct home *h, const char *dir)
{
	const char *bases[] = { h->path, h->real };

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(bases[i]);

		while (n > 1 && bases[i][n - 1] == '/')
			n--;
		if (n && !strncmp(dir, bases[i], n) && (dir[n] == '/' || !dir[n]))
			return dir + n + strspn(dir + n, "/");
	}
	return NULL;
}

/* The project directories Claude Code knows (the keys of "projects"), and their files. */
static void visit_projects(struct walk *wk, const struct config_doc *doc)
{
	for (size_t i = 0; i < doc->nprojects; i++) {
		const char *rel = below_home(wk->h, doc->projects[i]);
		char path[8192], shown[8192], name[4096];

		printable(doc->projects[i], name, sizeof(name));	/* the user's text, for root's terminal */
		if (!rel) {
			problem(wk, name, "a project outside the home: its configs are not read", false);
			continue;
		}
		for (size_t j = 0; j < NKINDS(project_kinds); j++) {
			snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", project_kinds[j].rel);
			snprintf(shown, sizeof(shown), "%s/%s", name, project_kinds[j].rel);
			visit(wk, &project_kinds[j], wk->h->fd, path, shown, false);
		}
	}
}

void configs_walk(const struct home *h, const struct config_walk *w)
{
	struct walk wk = { .h = h, .w = w };
	char shown[8192];

	for (size_t i = 0; i < NKINDS(home_kinds); i++) {
		snprintf(shown, sizeof(shown), "%s/%s", h->path, home_kinds[i].rel);
		visit(&wk, &home_kinds[i], h->fd, home_kinds[i].rel, shown, true);
	}
}

/* In the child: each server as a JSON line {"client", "file", "name", "argv", "url"}. */
static void list_file(const struct config_file *f, void *arg)
{
	FILE *out = arg;

	for (size_t i = 0; i < f->doc->n; i++) {
		const struct doc_server *s = &f->doc->v[i];
		cJSON *o = cJSON_CreateObject(), *argv = cJSON_AddArrayToObject(o, "argv");
		char *line;

		cJSON_AddStringToObject(o, "client", f->kind->client);
		cJSON_AddStringToObject(o, "file", f->shown);
		cJSON_AddStringToObject(o, "name", s->name);
		for (size_t a = 0; a < s->argc; a++)
			cJSON_AddItemToArray(argv, cJSON_CreateString(s->argv[a]));
		if (s->url)
			cJSON_AddStringToObject(o, "url", s->url);
		if (s->env_unsafe)
			cJSON_AddStringToObject(o, "env_unsafe", s->env_unsafe);
		if ((line = cJSON_PrintUnformatted(o)))
			fprintf(out, "%s\n", line);
		free(line);
		cJSON_Delete(o);
	}
}

static void list_problem(const char *msg, void *arg)
{
	cJSON *o = cJSON_CreateObject();
	char *line;

	cJSON_AddStringToObject(o, "problem", msg);
	if ((line = cJSON_PrintUnformatted(o)))
		fprintf((FILE *)arg, "%s\n", line);
	free(line);
	cJSON_Delete(o);
}

static int list_child(void *arg, FILE *to_parent)
{
	const struct config_walk w = { .file = list_file, .problem = list_problem, .arg = to_parent };

	configs_walk(arg, &w);
	return 0;
}

/* false when out of memory */
static bool add_problem(struct mcp_config_set *set, const char *text)
{
	char **nv = realloc(set->problems, (set->nproblems + 1) * sizeof(*nv));

	if (!nv)
		return false;
	set->problems = nv;
	if (!(set->problems[set->nproblems] = strdup(text)))
		return false;
	set->nproblems++;
	return true;
}

static struct mcp_entry *add_entry(struct mcp_config_set *set)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct mcp_entry *nv = realloc(set->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		set->v = nv;
		set->cap = cap;
	}
	memset(&set->v[set->n], 0, sizeof(set->v[0]));
	return &set->v[set->n++];
}

static void copy_string(char *dst, size_t n, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	snprintf(dst, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

struct scan_run {
	struct mcp_config_set *set;
	const char *policy_dir;
	const char *exe;	/* this mcpwarden's absolute path, or NULL */
	size_t lines, bytes;	/* what the home being read has sent, and been taken */
	size_t dropped;		/* its lines not taken: over the caps, cut (not JSON), or out of memory */
};

/* Whether e (its server's full name: name) is wrapped as --wrap writes it; a wrapper that is not is said. */
static void judge_wrapper(struct scan_run *r, struct mcp_entry *e, const char *name)
{
	char policy[PATH_MAX], shown[1024], msg[8192];
	struct wrapper want = { .exe = r->exe }, w;
	struct stat st;

	if (!e->argv || !wrapper_parse(e->argv, e->argc, &w))
		return;
	if (r->policy_dir && wrapper_policy_path(r->policy_dir, name, policy, sizeof(policy)) && stat(policy, &st) == 0)
		want.policy = policy;
	e->not_wrapped = !r->exe ? "the path of this mcpwarden (/proc/self/exe) could not be read, so no wrapper is "
				   "known to run it" : wrapper_mismatch(&w, name, &want);
	if (!e->not_wrapped && !(e->not_wrapped = e->env_unsafe)) {
		e->wrapped = true;
		e->command = w.command;
		return;
	}
	snprintf(msg, sizeof(msg), "%s: server '%s' is not counted as wrapped: %s", e->file,
		 printable(name, shown, sizeof(shown)), e->not_wrapped);
	r->dropped += !add_problem(r->set, msg);
}

/* In the parent: one line from a home's child, taken while the home is within SCAN_MAX_LINES and SCAN_MAX_BYTES. */
static void take_line(char *line, void *arg)
{
	struct scan_run *r = arg;
	size_t len = strlen(line);
	cJSON *o, *argv, *a;
	const cJSON *problem, *name, *env;
	struct mcp_entry *e;

	if (r->lines == SCAN_MAX_LINES || len > SCAN_MAX_BYTES - r->bytes || !(o = cJSON_Parse(line))) {
		r->dropped++;
		return;
	}
	r->lines++;
	r->bytes += len;
	problem = cJSON_GetObjectItemCaseSensitive(o, "problem");
	name = cJSON_GetObjectItemCaseSensitive(o, "name");
	if (cJSON_IsString(problem))
		r->dropped += !add_problem(r->set, problem->valuestring);
	else if (!(e = add_entry(r->set)))
		r->dropped++;
	else {
		copy_string(e->client, sizeof(e->client), o, "client");
		copy_string(e->file, sizeof(e->file), o, "file");
		copy_string(e->name, sizeof(e->name), o, "name");
		copy_string(e->url, sizeof(e->url), o, "url");
		env = cJSON_GetObjectItemCaseSensitive(o, "env_unsafe");
		if (cJSON_IsString(env))	/* the fixed text it names, in this process's memory */
			e->env_unsafe = strcmp(env->valuestring, CONFIG_DOC_ENV_FILE) ? CONFIG_DOC_ENV_LOADER : CONFIG_DOC_ENV_FILE;
		argv = cJSON_GetObjectItemCaseSensitive(o, "argv");
		if (cJSON_GetArraySize(argv) && (e->argv = calloc((size_t)cJSON_GetArraySize(argv), sizeof(char *))))
			cJSON_ArrayForEach(a, argv)
				if (cJSON_IsString(a) && (e->argv[e->argc] = strdup(a->valuestring)))
					e->argc++;
		judge_wrapper(r, e, cJSON_IsString(name) ? name->valuestring : "");
	}
	cJSON_Delete(o);
}

static int scan_home(const struct home *h, void *arg)
{
	struct scan_run *r = arg;
	char msg[PATH_MAX + 256];
	int rc;

	r->lines = r->bytes = r->dropped = 0;
	rc = as_user(&h->user, h->fd, list_child, (void *)h, take_line, arg) != 0;
	if (r->dropped) {
		snprintf(msg, sizeof(msg), "%s: %zu more server entries or problems not listed: the scan takes at most %d "
			 "lines and %d MiB from one home, each line at most %d MiB", h->path, r->dropped, SCAN_MAX_LINES,
			 SCAN_MAX_BYTES >> 20, AS_USER_MAX_LINE >> 20);
		add_problem(r->set, msg);
		r->set->not_listed += r->dropped;
		rc = 1;
	}
	return rc;
}

int configs_scan(struct mcp_config_set *set, char *const *homes, size_t nhomes, const char *policy_dir)
{
	char exe[PATH_MAX];
	struct scan_run r = { .set = set, .policy_dir = policy_dir, .exe = realpath("/proc/self/exe", exe) };

	memset(set, 0, sizeof(*set));
	return homes_each(homes, nhomes, scan_home, &r);
}

void configs_free(struct mcp_config_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		for (size_t j = 0; j < set->v[i].argc; j++)
			free(set->v[i].argv[j]);
		free(set->v[i].argv);
	}
	for (size_t i = 0; i < set->nproblems; i++)
		free(set->problems[i]);
	free(set->problems);
	free(set->v);
	memset(set, 0, sizeof(*set));
}
