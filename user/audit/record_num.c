/* record_num.c: reads a JSON number as an exact unsigned integer, refusing what is not one. */
#include <math.h>

#include "audit/record_num.h"

bool record_num(const cJSON *v, uint64_t *out)
{
	double d = cJSON_IsNumber(v) ? v->valuedouble : -1;

	*out = 0;
	if (!(d >= 0 && d <= 9007199254740992.0) || floor(d) != d)
		return false;
	*out = (uint64_t)d;
	return true;
}
