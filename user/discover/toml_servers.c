/* toml_servers.c: reads the [mcp_servers.NAME] tables of Codex's config.toml. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "discover/toml_servers.h"

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* A basic "string" or a 'literal'; returns the byte after it, or NULL. */
static const char *read_string(const char *p, const char *end, cJSON **out)
{
	char quote = *p++, *buf = malloc((size_t)(end - p) + 1);
	size_t n = 0;

	if (!buf)
		return NULL;
	while (p < end && *p != quote && *p != '\n') {
		if (quote == '"' && *p == '\\' && p + 1 < end) {
			p++;
			buf[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		} else {
			buf[n++] = *p;
		}
		p++;
	}
	buf[n] = '\0';
	*out = p < end && *p == quote ? cJSON_CreateString(buf) : NULL;
	free(buf);
	return *out ? p + 1 : NULL;
}

static const char *read_value(const char *p, const char *end, cJSON **out)
{
	cJSON *item;

	p = skip_blank(p, end);
	if (p < end && (*p == '"' || *p == '\''))
		return read_string(p, end, out);
	if (p >= end || *p != '[')
		return NULL;
	*out = cJSON_CreateArray();
	for (p = skip_blank(p + 1, end); p < end && *p != ']'; p = skip_blank(p, end)) {
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '#') {	/* a comment inside a multi-line array */
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if ((*p != '"' && *p != '\'') || !(p = read_string(p, end, &item))) {
			cJSON_Delete(*out);
			return NULL;
		}
		cJSON_AddItemToArray(*out, item);
	}
	if (p >= end) {
		cJSON_Delete(*out);
		return NULL;
	}
	return p + 1;
}

/* "[mcp_servers.NAME]" or "[mcp_servers."NAME"]": the server's object, or NULL for other tables. */
static cJSON *table(cJSON *servers, const char *line, size_t n)
{
	static const char prefix[] = "[mcp_servers.";
	char name[256];
	size_t len;

	if (n < sizeof(prefix) || strncmp(line, prefix, sizeof(prefix) - 1) || line[n - 1] != ']')
		return NULL;
	line += sizeof(prefix) - 1;
	len = n - sizeof(prefix);
	if (len >= 2 && (line[0] == '"' || line[0] == '\'') && line[len - 1] == line[0]) {
		line++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(name) || memchr(line, '.', len))
		return NULL;	/* a sub-table such as [mcp_servers.x.env] */
	memcpy(name, line, len);
	name[len] = '\0';
	return cJSON_AddObjectToObject(servers, name);
}

cJSON *toml_mcp_servers(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	cJSON *servers = cJSON_CreateObject(), *cur = NULL;

	while (servers && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;
		size_t n;

		eol = eol ? eol : end;
		p = skip_blank(p, eol);
		n = (size_t)(eol - p);
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n && p[0] == '[') {
			cur = table(servers, p, n);
		} else if (n && p[0] != '#' && cur) {
			static const char *const keys[] = { "command", "args", "url" };
			size_t k;

			for (k = 0; k < 3; k++) {
				size_t kl = strlen(keys[k]);

				q = skip_blank(p + kl, eol);
				if (n > kl && !strncmp(p, keys[k], kl) && q < eol && *q == '=')
					break;
			}
			if (k < 3) {
				cJSON *v;

				q = read_value(q + 1, end, &v);	/* arrays may span lines */
				if (!q) {
					cJSON_Delete(servers);
					return NULL;
				}
				cJSON_AddItemToObject(cur, keys[k], v);
				eol = memchr(q, '\n', (size_t)(end - q));
				eol = eol ? eol : end;
			}
		}
		p = eol < end ? eol + 1 : end;
	}
	return servers;
}
