/* tool_schemas.c: the server's tools and their inputSchemas, learnt from tools/list results. */
#include "shim/tool_schemas.h"

void tool_schemas_free(struct tool_schemas *t)
{
	cJSON_Delete(t->by_name);
	t->by_name = NULL;
}

const cJSON *tool_schema(const struct tool_schemas *t, const char *tool)
{
	return t->by_name ? cJSON_GetObjectItemCaseSensitive(t->by_name, tool) : NULL;
}

bool tool_schemas_learn(struct tool_schemas *t, cJSON *result, const struct policy *p)
{
	cJSON *tools = cJSON_GetObjectItemCaseSensitive(result, "tools"), *tool, *next;
	bool removed = false;

	if (!cJSON_IsArray(tools))
		return false;
	if (!t->by_name)
		t->by_name = cJSON_CreateObject();
	for (tool = tools->child; tool; tool = next) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(tool, "name");
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(tool, "inputSchema");

		next = tool->next;
		if (!cJSON_IsString(name))
			continue;
		if (policy_hidden(p, name->valuestring)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(tools, tool));
			removed = true;
			continue;
		}
		if (t->by_name && cJSON_IsObject(schema)) {
			cJSON *copy = cJSON_Duplicate(schema, 1);

			cJSON_DeleteItemFromObjectCaseSensitive(t->by_name, name->valuestring);
			if (copy)
				cJSON_AddItemToObject(t->by_name, name->valuestring, copy);
		}
	}
	return removed;
}
