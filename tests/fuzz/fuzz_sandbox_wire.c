/* fuzz_sandbox_wire.c: libFuzzer harness for the sandbox wire decoder (what the daemon reads from a peer), with a round trip on what it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sandbox_wire.h"

/* Whatever the decoder accepts, the encoder sends back, and that decodes to the same text again. */
static void round_trip(const struct sandbox *sb)
{
	cJSON *j = sandbox_wire_encode(sb), *j2;
	struct sandbox again;
	char why[256], *a, *b;

	if (!j)
		return;
	if (sandbox_wire_decode(j, &again, why, sizeof(why)))
		abort();	/* the encoder wrote something its own decoder refuses */
	j2 = sandbox_wire_encode(&again);
	a = cJSON_PrintUnformatted(j);
	b = j2 ? cJSON_PrintUnformatted(j2) : NULL;
	if (a && b && strcmp(a, b))
		abort();	/* the round trip changed a rule */
	free(a);
	free(b);
	cJSON_Delete(j2);
	sandbox_free(&again);
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256], *text = malloc(size + 1);
	struct sandbox sb;
	cJSON *j;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	j = cJSON_Parse(text);
	free(text);
	if (!j)
		return 0;
	if (!sandbox_wire_decode(j, &sb, why, sizeof(why))) {
		round_trip(&sb);
		sandbox_free(&sb);
	} else if (!why[0]) {
		abort();	/* a refusal must say why */
	}
	cJSON_Delete(j);
	return 0;
}
