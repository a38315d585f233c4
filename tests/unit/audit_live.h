/* audit_live.h: for the audit unit tests (cmocka included first): the path of a log's live segment. */
#ifndef MCPWARDEN_TEST_AUDIT_LIVE_H
#define MCPWARDEN_TEST_AUDIT_LIVE_H

#include <stdio.h>
#include <stdlib.h>

#include "audit/segments.h"

/* The live (uncompressed, newest) segment's path; the test fails when there is none. */
static void live_path(const char *dir, char *out, size_t sz)
{
	struct segment *segs;
	int n = segments_list(dir, &segs);

	assert_true(n > 0);
	assert_false(segs[n - 1].compressed);
	snprintf(out, sz, "%s/%s", dir, segs[n - 1].name);
	free(segs);
}

#endif
