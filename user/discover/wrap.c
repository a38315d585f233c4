/* wrap.c: rewrites MCP client configs to run each server under `mcpwarden run`, and back. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "discover/wrap.h"

static cJSON *strings(char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

/* Rewrites one server object in place; returns true when it changed. */
static bool rewrite_server(cJSON *srv, const char *name, bool unwrap, const char *policy_dir)
{
	cJSON *cmd = cJSON_GetObjectItemCaseSensitive(srv, "command");
	cJSON *args = cJSON_GetObjectItemCaseSensitive(srv, "args"), *a;
	char *argv[256], pol[4096];
	size_t argc = 0, n = 0;
	int first;

	if (!cJSON_IsString(cmd))
		return false;	/* a URL server: nothing to wrap */
	argv[argc++] = cmd->valuestring;
	cJSON_ArrayForEach(a, args)
		if (cJSON_IsString(a) && argc < 250)
			argv[argc++] = a->valuestring;
	first = wrapped_command_index(argv, argc);
	if (unwrap == (first < 0))
		return false;	/* already as wanted */
	if (unwrap) {
		cJSON *nargs = strings(argv + first + 1, argc - (size_t)first - 1);

		cJSON_ReplaceItemInObjectCaseSensitive(srv, "command", cJSON_CreateString(argv[first]));
		if (cJSON_HasObjectItem(srv, "args"))
			cJSON_ReplaceItemInObjectCaseSensitive(srv, "args", nargs);
		else
			cJSON_AddItemToObject(srv, "args", nargs);
		return true;
	}
	{
		char *wrapped[262];
		struct stat st;

		wrapped[n++] = "run";
		wrapped[n++] = "--name";
		wrapped[n++] = (char *)name;
		snprintf(pol, sizeof(pol), "%s/%s.yaml", policy_dir ? policy_dir : "", name);
		if (policy_dir && stat(pol, &st) == 0) {
			wrapped[n++] = "--policy";
			wrapped[n++] = pol;
		}
		wrapped[n++] = "--";
		for (size_t i = 0; i < argc; i++)
			wrapped[n++] = argv[i];
		a = strings(wrapped, n);	/* copies: argv points into srv */
		cJSON_ReplaceItemInObjectCaseSensitive(srv, "command", cJSON_CreateString("mcpwarden"));
		if (cJSON_HasObjectItem(srv, "args"))
			cJSON_ReplaceItemInObjectCaseSensitive(srv, "args", a);
		else
			cJSON_AddItemToObject(srv, "args", a);
	}
	return true;
}

static size_t rewrite_servers(cJSON *servers, bool unwrap, const char *policy_dir)
{
	size_t changed = 0;
	cJSON *s;

	cJSON_ArrayForEach(s, servers)
		changed += rewrite_server(s, s->string ? s->string : "server", unwrap, policy_dir);
	return changed;
}

static int write_atomically(const char *path, const char *text)
{
	char tmp[4200];
	struct stat st;
	size_t n = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.mcpwarden.tmp", path);
	if (stat(path, &st) < 0)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd) < 0 ||
	    fchown(fd, st.st_uid, st.st_gid) < 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

static int backup_once(const char *path)
{
	char bak[4200], buf[65536];
	int in, out;
	ssize_t n;

	snprintf(bak, sizeof(bak), "%s" WRAP_BACKUP_EXT, path);
	if (access(bak, F_OK) == 0)
		return 0;	/* keep the original from the first wrap */
	in = open(path, O_RDONLY | O_CLOEXEC);
	out = open(bak, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (in < 0 || out < 0) {
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (n < 0 || fsync(out) < 0) {
		close(out);
		unlink(bak);
		return -1;
	}
	return close(out);
}

static int rewrite_file(const char *path, const struct config_kind *k, bool unwrap,
			const char *policy_dir, FILE *out)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, changed;
	cJSON *root, *p;
	int rc = 0;

	if (!f || getdelim(&text, &len, '\0', f) < 0) {
		log_warn("reading %s", path);
		if (f)
			fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	root = cJSON_Parse(text);
	free(text);
	if (!root) {
		log_warnx("%s: not valid JSON: left as it is", path);
		return -1;
	}
	changed = rewrite_servers(cJSON_GetObjectItemCaseSensitive(root, k->key), unwrap, policy_dir);
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, "projects"))
		changed += rewrite_servers(cJSON_GetObjectItemCaseSensitive(p, "mcpServers"), unwrap, policy_dir);
	if (changed) {
		char *json = cJSON_Print(root);

		if (!json || (!unwrap && backup_once(path) < 0) || write_atomically(path, json) < 0) {
			log_warn("rewriting %s", path);
			rc = -1;
		} else {
			fprintf(out, "%s: %s %zu server(s)%s\n", path, unwrap ? "unwrapped" : "wrapped", changed,
				unwrap ? "" : " (original kept as " WRAP_BACKUP_EXT ")");
		}
		free(json);
	}
	cJSON_Delete(root);
	return rc;
}

int wrap_configs(const struct mcp_config_set *set, bool unwrap, const char *policy_dir, FILE *out)
{
	int failed = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct config_kind *k = config_kind_named(set->v[i].client);
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(set->v[j].file, set->v[i].file);
		if (seen || !k)
			continue;
		if (k->toml) {
			fprintf(out, "%s: not rewritten (TOML): wrap its servers by hand\n", set->v[i].file);
			continue;
		}
		failed += rewrite_file(set->v[i].file, k, unwrap, policy_dir, out) < 0;
	}
	return failed;
}
