/* wrap.h: rewrites MCP client configs to run each server under `mcpwarden run`, and back, as each home's user. */
#ifndef MCPWARDEN_WRAP_H
#define MCPWARDEN_WRAP_H

#include <stdbool.h>
#include <stdio.h>

#define WRAP_BACKUP_EXT ".mcpwarden.bak"

/*
 * For each home (as configs_scan picks them), in a child acting as the home's user:
 * wraps (or with unwrap, unwraps) each stdio server of each config file configs_walk
 * hands over, changing only their command and args (wrap_text.h), and replaces the file
 * through a new file beside it (replace.h), unless another program wrote it meanwhile
 * (then nothing of this wrap stays). A file's first wrap keeps its bytes at
 * FILE.mcpwarden.bak, the user's, with the file's mode. An unwrap of a file that is its
 * backup wrapped (wrap_undoes) puts the backup's bytes back and removes the backup. With
 * policy_dir (an absolute path), a wrapped server gets --policy DIR/NAME.yaml when the
 * user can read that file. Says each file changed on out, and each file or server left
 * alone on stderr. Returns the number of homes where something was left undone.
 */
int wrap_homes(char *const *homes, size_t nhomes, bool unwrap, const char *policy_dir, FILE *out);

#endif
