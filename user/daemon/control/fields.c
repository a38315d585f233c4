/* fields.c: reads a request's fields: integers within a range. */
#include "daemon/control/fields.h"

bool fields_uint(const cJSON *req, const char *key, double min, double max, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble)
		return false;
	*out = (uint64_t)v->valuedouble;
	return true;
}
