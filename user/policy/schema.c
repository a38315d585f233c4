/* schema.c: checks tool arguments against a server's JSON Schema (required, types, enums). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonrpc/message.h"
#include "policy/schema.h"

static bool type_is(const cJSON *v, const char *type)
{
	if (!strcmp(type, "string"))
		return cJSON_IsString(v);
	if (!strcmp(type, "number"))
		return cJSON_IsNumber(v);
	if (!strcmp(type, "integer"))
		return cJSON_IsNumber(v) && floor(v->valuedouble) == v->valuedouble;
	if (!strcmp(type, "boolean"))
		return cJSON_IsBool(v);
	if (!strcmp(type, "object"))
		return cJSON_IsObject(v);
	if (!strcmp(type, "array"))
		return cJSON_IsArray(v);
	if (!strcmp(type, "null"))
		return cJSON_IsNull(v);
	return true;	/* a type we do not know: no opinion */
}

static bool type_ok(const cJSON *v, const cJSON *type)
{
	const cJSON *t;

	if (cJSON_IsString(type))
		return type_is(v, type->valuestring);
	if (!cJSON_IsArray(type))
		return true;
	cJSON_ArrayForEach(t, type)
		if (cJSON_IsString(t) && type_is(v, t->valuestring))
			return true;
	return false;
}

static int check(const cJSON *schema, const cJSON *v, const char *at, bool required_only,
		 int depth, char *why, size_t whysz)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const cJSON *addl = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
	const cJSON *e;

	if (!cJSON_IsObject(schema) || depth > 32)
		return 0;
	if (!required_only && type && !type_ok(v, type)) {
		snprintf(why, whysz, "%s: wrong type, schema wants %s", at,
			 cJSON_IsString(type) ? type->valuestring : "another type");
		return -1;
	}
	if (!required_only && cJSON_IsArray(en)) {
		bool found = false;

		cJSON_ArrayForEach(e, en)
			found |= cJSON_Compare(e, v, true);
		if (!found) {
			snprintf(why, whysz, "%s: value is not one of the schema's enum", at);
			return -1;
		}
	}
	if (!cJSON_IsObject(v))
		return 0;
	cJSON_ArrayForEach(e, req) {
		if (cJSON_IsString(e) && !jsonrpc_member(v, e->valuestring)) {
			snprintf(why, whysz, "%s.%s: required argument missing", at, e->valuestring);
			return -1;
		}
	}
	if (required_only)
		return 0;
	cJSON_ArrayForEach(e, v) {
		const cJSON *ps = jsonrpc_member(props, e->string);	/* as a Go server matches it */
		char sub[256];

		snprintf(sub, sizeof(sub), "%s.%s", at, e->string);
		if (!ps && cJSON_IsFalse(addl)) {
			snprintf(why, whysz, "%s: argument not in the schema", sub);
			return -1;
		}
		if (ps && check(ps, e, sub, false, depth + 1, why, whysz) < 0)
			return -1;
	}
	return 0;
}

int schema_check(const cJSON *schema, const cJSON *args, bool required_only, char *why, size_t whysz)
{
	static const cJSON empty = { .type = cJSON_Object };

	return check(schema, args ? args : &empty, "args", required_only, 0, why, whysz);
}
