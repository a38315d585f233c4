// client.mjs: drives a real MCP SDK client through `mcpwarden run` for the end-to-end tests.
// usage: node client.mjs SCENARIO -- CMD [ARG...]   (CMD is normally mcpwarden run ... -- server)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

const [scenario, dashdash, command, ...args] = process.argv.slice(2);
assert.equal(dashdash, '--', 'usage: node client.mjs SCENARIO -- CMD [ARG...]');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const text = (res) => (res.content || []).map((c) => c.text || '').join('');
const policyMeta = (res) => res._meta && res._meta['io.mcpwarden/policy'];
const ok = (what) => console.log(`ok: ${what}`);
// The SDK's 60 s request timeout, times MCPWARDEN_SLOW (10 in the kernel guests, which run 25-40 times slower).
const requestTimeout = 60000 * Number(process.env.MCPWARDEN_SLOW || 1);

function expectDenied(res, rule, what) {
  assert.equal(res.isError, true, `${what}: isError`);
  const meta = policyMeta(res);
  assert.ok(meta, `${what}: _meta policy marker missing in ${JSON.stringify(res)}`);
  assert.equal(meta.decision, 'deny', `${what}: decision`);
  if (rule) assert.equal(meta.rule, rule, `${what}: rule`);
  ok(`${what} refused by rule ${meta.rule}: ${meta.reason}`);
}

async function connect(capabilities = {}) {
  const client = new Client({ name: 'mcpwarden-e2e', version: '1.0.0' }, { capabilities });
  const transport = new StdioClientTransport({ command, args, stderr: 'inherit' });
  await client.connect(transport);
  return client;
}

const scenarios = {
  // server-everything: tools, hide, deny, progress, cancellation, server->client requests.
  async everything() {
    const client = await connect({ sampling: {}, elicitation: {}, roots: { listChanged: true } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'e2e-model', role: 'assistant', content: { type: 'text', text: 'sampled-by-e2e' },
    }));
    client.setRequestHandler(ListRootsRequestSchema, async () => ({
      roots: [{ uri: 'file:///tmp/e2e-root', name: 'e2e-root' }],
    }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
    await sleep(500); // conditional tools register after initialization
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes('echo'), 'echo listed');
    assert.ok(!names.includes('get-env'), `get-env is hidden by the policy: ${names}`);
    assert.ok(names.includes('trigger-sampling-request'), `sampling tool listed: ${names}`);
    ok(`tools/list through the shim: ${names.length} tools, get-env hidden`);

    const echo = await client.callTool({ name: 'echo', arguments: { message: 'through the shim' } });
    assert.match(text(echo), /through the shim/);
    ok('echo round trip');

    expectDenied(await client.callTool({ name: 'get-tiny-image', arguments: {} }), 'no-images', 'get-tiny-image');
    expectDenied(await client.callTool({ name: 'get-env', arguments: {} }), '(hidden)', 'hidden get-env');

    const progress = [];
    const long = await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 4 } },
      undefined, { onprogress: (p) => progress.push(p) });
    assert.match(text(long), /completed/i);
    // The SDK handles notifications a microtask later than responses, so the last progress
    // note, written right before the result, can be dropped by the client itself.
    assert.ok(progress.length >= 3, `progress notifications: ${progress.length}`);
    assert.deepEqual(progress.slice(0, 3).map((p) => p.progress), [1, 2, 3]);
    ok(`progress notifications relayed: ${progress.length}`);

    const ac = new AbortController();
    const pending = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } },
      undefined, { signal: ac.signal });
    await sleep(300);
    ac.abort('e2e cancels');
    await assert.rejects(pending, /abort|cancel/i);
    const after = await client.callTool({ name: 'echo', arguments: { message: 'after cancel' } });
    assert.match(text(after), /after cancel/);
    ok('cancellation relayed; the session still works');

    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } });
    assert.match(JSON.stringify(sampled), /sampled-by-e2e/);
    ok('server->client sampling/createMessage answered through the shim');

    const roots = await client.callTool({ name: 'get-roots-list', arguments: {} });
    assert.match(JSON.stringify(roots), /e2e-root/);
    ok('server->client roots/list answered through the shim');
    await client.close();
  },

  // mcp-server-code-runner: allowed, denied, then the rate limit (RATE_N allowed calls).
  async coderunner() {
    const n = Number(process.env.RATE_N || 0);
    const client = await connect();
    const run = (code, languageId = 'python') => client.callTool({ name: 'run-code', arguments: { code, languageId } });
    const allowed = await run('print(6*7)');
    assert.equal(allowed.isError, undefined, JSON.stringify(allowed));
    assert.match(text(allowed), /42/);
    ok('allowed run-code ran: 42');
    expectDenied(await run('echo hi', 'shellscript'), 'python-or-javascript-only', 'shellscript run-code');
    expectDenied(await run('import os; os.system("rm -rf /tmp/x")'), 'no-shell-out', 'os.system in run-code');
    if (n) {
      for (let i = 2; i <= n; i++) assert.match(text(await run(`print(${i})`)), new RegExp(`${i}`));
      ok(`${n} calls allowed within the rate limit`);
      expectDenied(await run('print("one too many")'), 'rate', `call ${n + 1}`);
    }
    await client.close();
  },
};

// One call, for tests that look at what it did: TOOL and ARGS (JSON) from the environment.
// Like real clients, both list the tools before calling one.
scenarios.call = async () => {
  const client = await connect();
  await client.listTools();
  const res = await client.callTool({ name: process.env.TOOL, arguments: JSON.parse(process.env.ARGS) }, undefined,
    { timeout: requestTimeout });
  console.log(`result: ${JSON.stringify(res)}`);
  await client.close();
};

// Several calls on one session, in order: CALLS is a JSON list of {name, arguments} (or {sleep_ms}, or
// {wait_file}: a pause until that file exists, 30 s at most). Each outcome is printed ("result I: ..."
// or "error I: ..."); an error does not stop the rest.
scenarios.calls = async () => {
  const client = await connect();
  console.log(`instructions: ${client.getInstructions() || ''}`);
  await client.listTools();
  for (const [i, c] of JSON.parse(process.env.CALLS).entries()) {
    if (c.sleep_ms) {	// {"sleep_ms": N}: a pause between calls
      await sleep(c.sleep_ms);
      continue;
    }
    if (c.wait_file) {	// {"wait_file": PATH}: the test says when to go on
      for (let t = 0; t < 300 && !fs.existsSync(c.wait_file); t++)
        await sleep(100);
      continue;
    }
    try {
      console.log(`result ${i}: ${JSON.stringify(await client.callTool(c))}`);
    } catch (e) {
      console.log(`error ${i}: ${e.message}`);
    }
  }
  await client.close();
};

const fn = scenarios[scenario];
assert.ok(fn, `unknown scenario ${scenario}`);
try {
  await fn();
  console.log(`scenario ${scenario}: passed`);
  process.exit(0);
} catch (e) {
  console.error(`scenario ${scenario}: FAILED: ${e.stack || e}`);
  process.exit(1);
}
