/* keyfold.h: compares JSON keys the way the most lenient servers match them. */
#ifndef MCPWARDEN_KEYFOLD_H
#define MCPWARDEN_KEYFOLD_H

#include <stdbool.h>
#include <stddef.h>

/* True when a and b name the same member for a case-insensitive decoder such as Go's
 * encoding/json: ASCII case is ignored, and U+017F (long s) and U+212A (Kelvin sign)
 * count as 's' and 'k', since Unicode simple folding maps them there. */
bool key_fold_equal(const char *a, size_t alen, const char *b, size_t blen);

/* The folded form of a key, so equal-folding keys sort together; malloc'd, NULL on OOM. */
char *key_fold(const char *key);

#endif
