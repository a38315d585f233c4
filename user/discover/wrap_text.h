/* wrap_text.h: --wrap's and --unwrap's edits of a config's text: only the command and args values of its servers change. */
#ifndef MCPWARDEN_WRAP_TEXT_H
#define MCPWARDEN_WRAP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct wrap_opts {
	bool toml;		/* Codex's config.toml; JSONC otherwise */
	const char *key;	/* the JSON object that holds the servers */
	/* When not NULL: whether server name has a policy, and its path (wrap passes --policy PATH). When
	 * NULL, no wrapper's --policy can be judged, so none is replaced (that would drop the policy). */
	bool (*policy)(const char *name, char *path, size_t pathlen, void *arg);
	/* When not NULL: told of each server left alone (left), or wrapped again (!left: it had a wrapper
	 * other than the one --wrap writes for it, wrapper.h), and why. */
	void (*note)(const char *name, const char *why, bool left, void *arg);
	void *arg;
	/* The command wrapping writes: the absolute path of the mcpwarden that wraps, so no PATH a server's
	 * own "env" sets can put another program in its place; NULL writes "mcpwarden". */
	const char *exe;
};

/*
 * Wraps (or with unwrap, unwraps) each stdio server of the config text[0, len):
 * wrapping sets its command to o->exe (or "mcpwarden") and puts `run --name NAME [--policy P] --
 * COMMAND` before its args; unwrapping takes them out again. Every other byte stays as
 * it was: the command's and args' original tokens are moved, not rewritten, and what is
 * added goes right after the args' '[' (or, without args, in a new args member after the
 * command). A server counts as wrapped when wrapper_parse reads its argv and, for wrap,
 * wrapper_mismatch finds nothing against its name, o->exe and the policy o->policy gives
 * it (for unwrap, against its name only). Another wrapper of that shape is wrapped again:
 * --wrap's takes its place before the command it runs, and o->note is told; but one with a
 * --policy is left alone (and said) when o->policy is NULL. Servers
 * already as wanted, remote ones and ones config_doc marks odd are left alone. Returns the new text (malloc'd, *outlen bytes, *changed servers changed), or NULL
 * with why set to "LINE: what" when text is not one valid document (or out of memory).
 */
char *wrap_text(const struct wrap_opts *o, bool unwrap, const char *text, size_t len, size_t *outlen,
		size_t *changed, char *why, size_t whylen);
/*
 * Whether unwrapping text gives what wrapping bak and unwrapping it gives: then text is
 * bak wrapped (with any policies) and edited no further, and bak is text unwrapped byte
 * for byte (even where the textual unwrap can't tell, as an args member wrap added).
 */
bool wrap_undoes(const struct wrap_opts *o, const char *text, size_t len, const char *bak, size_t baklen);

#endif
