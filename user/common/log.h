/* log.h: err/warn-style diagnostics on stderr, prefixed with the program and subcommand. */
#ifndef MCPWARDEN_LOG_H
#define MCPWARDEN_LOG_H

#include <stdbool.h>

void log_init(const char *tag);
void log_set_verbose(bool on);
bool log_verbose(void);
/* warn: appends ": strerror(errno)"; warnx: message only; debug: only when verbose. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
