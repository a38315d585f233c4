/* head.h: the audit log's head file: the last synced seq and its hash, so that a cut tail shows. */
#ifndef MCPWARDEN_HEAD_H
#define MCPWARDEN_HEAD_H

#include <stdint.h>

#include "common/sha256.h"

#define AUDIT_HEAD_FILE	"head.json"	/* {"seq":N,"hash":"HEX"}, in the log's directory */

/* Writes dir's head file whole (a temporary file, fsynced, renamed over it). 0, or -1 (logged). */
int head_write(const char *dir, uint64_t seq, const char *hash);
/* Reads dir's head file, which may be hostile (a number only as record_num reads it; not a regular file, or a
 * symbolic link, is unreadable): 1 with *seq and hash set, 0 when there is none, -1 when it can't be read or parsed
 * (not logged: the callers say what it means to them). */
int head_read(const char *dir, uint64_t *seq, char hash[SHA256_HEX_LEN + 1]);

#endif
