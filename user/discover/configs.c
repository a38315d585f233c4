/* configs.c: finds MCP servers in the config files of every MCP client, for every user. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "discover/configs.h"
#include "discover/toml_servers.h"

const struct config_kind config_kinds[] = {
	{ "claude-desktop", ".config/Claude/claude_desktop_config.json", "mcpServers", false },
	{ "claude-code", ".claude.json", "mcpServers", false },
	{ "cursor", ".cursor/mcp.json", "mcpServers", false },
	{ "vscode", ".config/Code/User/mcp.json", "servers", false },
	{ "windsurf", ".codeium/windsurf/mcp_config.json", "mcpServers", false },
	{ "gemini-cli", ".gemini/settings.json", "mcpServers", false },
	{ "codex", ".codex/config.toml", "mcp_servers", true },
};
const size_t nconfig_kinds = sizeof(config_kinds) / sizeof(config_kinds[0]);

/* Project-level files, found through Claude Code's list of projects. */
static const struct config_kind project_kinds[] = {
	{ "claude-code-project", ".mcp.json", "mcpServers", false },
	{ "cursor-project", ".cursor/mcp.json", "mcpServers", false },
	{ "vscode-project", ".vscode/mcp.json", "servers", false },
};

const struct config_kind *config_kind_named(const char *client)
{
	for (size_t i = 0; i < nconfig_kinds; i++)
		if (!strcmp(config_kinds[i].client, client))
			return &config_kinds[i];
	for (size_t i = 0; i < sizeof(project_kinds) / sizeof(project_kinds[0]); i++)
		if (!strcmp(project_kinds[i].client, client))
			return &project_kinds[i];
	return NULL;
}

static void problem(struct mcp_config_set *set, const char *file, const char *why)
{
	char **nv = realloc(set->problems, (set->nproblems + 1) * sizeof(*nv));
	char buf[4200];

	if (!nv)
		return;
	set->problems = nv;
	snprintf(buf, sizeof(buf), "%s: %s", file, why);
	if ((set->problems[set->nproblems] = strdup(buf)))
		set->nproblems++;
}

int wrapped_command_index(char *const *argv, size_t argc)
{
	const char *base;

	if (argc < 3)
		return -1;
	base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (strcmp(base, "mcpwarden") || strcmp(argv[1], "run"))
		return -1;
	for (size_t i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--"))
			return (int)i + 1;
	return -1;
}

static struct mcp_entry *add_entry(struct mcp_config_set *set, const struct config_kind *k,
				   const char *file, const char *name)
{
	struct mcp_entry *e;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct mcp_entry *nv = realloc(set->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		set->v = nv;
		set->cap = cap;
	}
	e = &set->v[set->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->client, sizeof(e->client), "%s", k->client);
	snprintf(e->file, sizeof(e->file), "%s", file);
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

static void take_servers(struct mcp_config_set *set, const struct config_kind *k,
			 const char *file, const cJSON *servers)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, servers) {
		const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(s, "command");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(s, "args");
		const cJSON *url = cJSON_GetObjectItemCaseSensitive(s, "url");
		struct mcp_entry *e = add_entry(set, k, file, s->string ? s->string : "?");
		const cJSON *a;

		if (!e)
			return;
		if (!url)
			url = cJSON_GetObjectItemCaseSensitive(s, "serverUrl");
		if (cJSON_IsString(url))
			snprintf(e->url, sizeof(e->url), "%s", url->valuestring);
		if (!cJSON_IsString(cmd))
			continue;
		e->argv = calloc((size_t)cJSON_GetArraySize(args) + 2, sizeof(char *));
		if (!e->argv)
			continue;
		e->argv[e->argc++] = strdup(cmd->valuestring);
		cJSON_ArrayForEach(a, args)
			if (cJSON_IsString(a))
				e->argv[e->argc++] = strdup(a->valuestring);
		e->wrapped = wrapped_command_index(e->argv, e->argc) >= 0;
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (16 << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Reads one config file; returns its parsed JSON (for Claude Code's project list) or NULL. */
static cJSON *read_config(struct mcp_config_set *set, const struct config_kind *k, const char *path)
{
	size_t len = 0;
	char *text = slurp(path, &len);
	cJSON *root, *projects, *p;

	if (!text) {
		if (errno != ENOENT)
			problem(set, path, strerror(errno));
		return NULL;
	}
	root = k->toml ? toml_mcp_servers(text, len) : cJSON_ParseWithLength(text, len);
	free(text);
	if (!root) {
		problem(set, path, k->toml ? "cannot read its [mcp_servers] tables"
					   : "not valid JSON (comments or trailing commas?)");
		return NULL;
	}
	take_servers(set, k, path, k->toml ? root : cJSON_GetObjectItemCaseSensitive(root, k->key));
	projects = cJSON_GetObjectItemCaseSensitive(root, "projects");	/* ~/.claude.json */
	cJSON_ArrayForEach(p, projects)
		take_servers(set, k, path, cJSON_GetObjectItemCaseSensitive(p, "mcpServers"));
	return root;
}

/* The project directories Claude Code knows (the keys of "projects"), and their files. */
static void scan_projects(struct mcp_config_set *set, const cJSON *root)
{
	const cJSON *p;
	char path[8192];

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, "projects")) {
		for (size_t j = 0; p->string && j < sizeof(project_kinds) / sizeof(project_kinds[0]); j++) {
			snprintf(path, sizeof(path), "%s/%s", p->string, project_kinds[j].rel);
			cJSON_Delete(read_config(set, &project_kinds[j], path));
		}
	}
}

static void scan_home(struct mcp_config_set *set, const char *home)
{
	char path[8192];

	for (size_t i = 0; i < nconfig_kinds; i++) {
		cJSON *root;

		snprintf(path, sizeof(path), "%s/%s", home, config_kinds[i].rel);
		root = read_config(set, &config_kinds[i], path);
		scan_projects(set, root);
		cJSON_Delete(root);
	}
}

int configs_scan(struct mcp_config_set *set, char *const *homes, size_t nhomes)
{
	struct passwd *pw;
	struct stat st;
	ino_t done[1024];
	size_t ndone = 0;

	memset(set, 0, sizeof(*set));
	if (homes) {
		for (size_t i = 0; i < nhomes; i++)
			scan_home(set, homes[i]);
		return 0;
	}
	setpwent();
	while ((pw = getpwent())) {
		bool seen = false;

		/* Service accounts share homes such as /var/lib/x: read each once. */
		if (!pw->pw_dir || pw->pw_dir[0] != '/' || !strcmp(pw->pw_dir, "/") ||
		    stat(pw->pw_dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		for (size_t i = 0; i < ndone; i++)
			seen |= done[i] == st.st_ino;
		if (seen)
			continue;
		if (ndone < sizeof(done) / sizeof(done[0]))
			done[ndone++] = st.st_ino;
		scan_home(set, pw->pw_dir);
	}
	endpwent();
	return 0;
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
