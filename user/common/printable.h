/* printable.h: text from the code we watch, made safe to print in a log line or on a terminal. */
#ifndef MCPWARDEN_PRINTABLE_H
#define MCPWARDEN_PRINTABLE_H

#include <stddef.h>

/*
 * Copies `s` into buf (at most size - 1 bytes, NUL-terminated) with each control byte
 * (below 0x20, and 0x7f) written as '?', so a name a process chose can't start a new
 * log line or send escapes to a terminal. Returns buf.
 */
const char *printable(const char *s, char *buf, size_t size);

#endif
