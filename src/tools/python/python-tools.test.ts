import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ToolDefinition } from '../tool-registry.ts';
import { createFairScheduler } from '../fair-scheduler.ts';
import { createWorkspaceStore } from '../workspace/workspace-store.ts';
import { createPythonPool } from './python-pool.ts';
import { createPythonTools } from './python-tools.ts';

// A marker in this process's environment: Python must not see it.
const marker = `colloquy-marker-${process.pid}-${Date.now()}`;
process.env.COLLOQUY_TEST_SECRET_MARKER = marker;

describe('python tools', () => {
  let root: string;
  let pool: ReturnType<typeof createPythonPool>;
  let tools: Map<string, ToolDefinition>;
  const userId = 'python-user';

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'colloquy-python-'));
    pool = createPythonPool({ size: 2, timeoutMs: 4000, memoryMb: 160, maxOutputBytes: 2000 });
    const store = createWorkspaceStore({ root, quotaBytes: 100_000, maxEntries: 1000 });
    const scheduler = createFairScheduler({ name: 'Python', slots: 2, perUserRunning: 2, perUserQueued: 10 });
    tools = new Map(createPythonTools(pool, store, scheduler).map((tool) => [tool.name, tool]));
  });
  after(async () => {
    await pool.close();
    await rm(root, { recursive: true, force: true });
  });

  const call = async (name: string, input: unknown, owner = userId) => {
    const context = { userId: owner, permissionLevel: 3, toolCallId: 'call-1', signal: new AbortController().signal };
    const result = await tools.get(name)!.execute(input, context);
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(result.output) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    return { ...result, answer: parsed };
  };

  it('computes, prints and evaluates', async () => {
    const run = await call('python_execute', { code: 'import math\nprint("hello")\nmath.factorial(20)' });
    assert.equal(run.isError, false, run.output);
    assert.equal(run.answer?.result, '2432902008176640000');
    assert.equal(run.answer?.stdout, 'hello\n');
    const evaluated = await call('python_eval', { expression: '2**100 + sum(range(10))' });
    assert.equal(evaluated.answer?.result, String(2n ** 100n + 45n));
  });

  it('reports exceptions and bad input as errors', async () => {
    const raised = await call('python_execute', { code: '1/0' });
    assert.equal(raised.isError, true);
    assert.match(String(raised.answer?.error), /ZeroDivisionError/);
    const statement = await call('python_eval', { expression: 'x = 1' });
    assert.equal(statement.isError, true);
    assert.match(String(statement.answer?.error), /SyntaxError/);
    const bad = await call('python_execute', { source: 'print(1)' });
    assert.equal(bad.isError, true);
    assert.match(bad.output, /invalid input for python_execute/);
  });

  it('copies the workspace in and saves changed files back', async () => {
    await mkdir(path.join(root, userId), { recursive: true });
    await writeFile(path.join(root, userId, 'numbers.txt'), '1\n2\n3\n');
    const run = await call('python_execute', {
      code: 'total = sum(int(x) for x in open("numbers.txt"))\nopen("out/total.txt", "w").write(str(total)) if __import__("os").makedirs("out", exist_ok=True) is None else 0\ntotal',
    });
    assert.equal(run.isError, false, run.output);
    assert.equal(run.answer?.result, '6');
    assert.deepEqual(run.answer?.files_saved, ['out/total.txt']);
    assert.equal(await readFile(path.join(root, userId, 'out/total.txt'), 'utf8'), '6');
  });

  it('refuses files beyond the quota and saves none', async () => {
    const run = await call('python_execute', { code: 'open("big.bin", "wb").write(b"x" * 200_000)' });
    assert.equal(run.isError, true);
    assert.match(String(run.answer?.files_not_saved), /quota exceeded/);
    await assert.rejects(readFile(path.join(root, userId, 'big.bin')), { code: 'ENOENT' });
  });

  it('cannot see the host file system or environment', async () => {
    const passwd = await call('python_execute', { code: 'open("/etc/passwd").read()' });
    assert.equal(passwd.isError, true);
    assert.match(String(passwd.answer?.error), /FileNotFoundError/);
    const environment = await call('python_execute', { code: 'import os; dict(os.environ)' });
    assert.equal(environment.answer?.result, "{'HOME': '/workspace'}");
    assert.ok(!environment.output.includes(marker));
    const listing = await call('python_execute', { code: 'import os; sorted(os.listdir("/"))' });
    assert.ok(!String(listing.answer?.result).includes("'etc'"), listing.output);
  });

  it('cannot reach the host through JavaScript', async () => {
    const attempts = [
      'import js; js.process.env',
      'from pyodide.ffi import to_js; to_js({}).constructor.constructor("return process.env")()',
      'import pyodide_js; pyodide_js.mountNodeFS("/mnt", "/etc")',
      'import pyodide_js; pyodide_js._api.loadBinaryFile("/etc/passwd")',
      'from pyodide.code import run_js; run_js("globalThis.process.env")',
      'import os; os.system("echo escaped")',
    ];
    for (const code of attempts) {
      const run = await call('python_execute', { code });
      assert.equal(run.isError, true, `${code} → ${run.output}`);
      assert.ok(!run.output.includes(marker));
      assert.ok(!run.output.includes('root:x:0'));
    }
  });

  it('cannot open network connections', async () => {
    const server = createServer((socket) => socket.end('reached'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let connections = 0;
    server.on('connection', () => (connections += 1));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await call('python_execute', {
        code: `import socket\ns = socket.create_connection(("127.0.0.1", ${port}), timeout=2)\ns.recv(10)`,
      });
      assert.equal(run.isError, true, run.output);
      const fetched = await call('python_execute', { code: `import urllib.request\nurllib.request.urlopen("http://127.0.0.1:${port}/").read()` });
      assert.equal(fetched.isError, true, fetched.output);
      assert.equal(connections, 0);
    } finally {
      server.close();
    }
  });

  it('caps output', async () => {
    const run = await call('python_execute', { code: 'print("y" * 10_000)' });
    assert.equal(run.answer?.output_truncated, true);
    assert.ok(String(run.answer?.stdout).length <= 2000);
  });

  it('stops a huge allocation at the memory cap, and recovers', async () => {
    const run = await call('python_execute', { code: 'blocks = []\nwhile True: blocks.append(bytearray(8 * 1024 * 1024))' });
    assert.equal(run.isError, true);
    assert.match(run.output, /MemoryError/);
    const next = await call('python_eval', { expression: '6 * 7' });
    assert.equal(next.answer?.result, '42', next.output);
  });

  it('a V8 fatal out-of-memory ends only the Python process: the call fails, this process lives, the next call works', async () => {
    // Its own pool with a long wall-time cap: on a loaded machine, filling the heap can take longer than 4 s.
    const roomy = createPythonPool({ size: 1, timeoutMs: 60_000, memoryMb: 160, maxOutputBytes: 2000 });
    try {
      const run = await roomy.run(userId, {
        mode: 'exec', code: 'import pyodide_js\npyodide_js._module.constructor.getOwnPropertyNames(pyodide_js._module.HEAP16)', files: [],
      }, new AbortController().signal);
      assert.equal(run.type, 'stopped');
      assert.match(run.type === 'stopped' ? run.message : '', /the Python process ran out of memory and was terminated/);
      const next = await roomy.run(userId, { mode: 'eval', code: '6 * 7', files: [] }, new AbortController().signal);
      assert.equal(next.type === 'result' && next.value, '42', JSON.stringify(next));
    } finally {
      await roomy.close();
    }
  });

  it('terminates an endless loop at the wall-time cap, and the pool recovers', async () => {
    const started = Date.now();
    const run = await call('python_execute', { code: 'while True: pass' });
    assert.equal(run.isError, true);
    assert.match(run.output, /longer than 4000 ms/);
    assert.ok(Date.now() - started < 9000);
    const next = await call('python_eval', { expression: '1 + 1' });
    assert.equal(next.answer?.result, '2', next.output);
  });

  it('gives another user a fresh interpreter', async () => {
    await call('python_execute', { code: 'import builtins; builtins.left_behind = "secret of user one"' });
    const other = await call('python_execute', { code: 'import builtins; getattr(builtins, "left_behind", None)' }, 'python-user-two');
    assert.equal(other.isError, false, other.output);
    assert.equal(other.answer?.result, null);
  });

  it('a queued run whose signal fires leaves the queue at once; close() kills a starting process', async () => {
    const small = createPythonPool({ size: 1, timeoutMs: 4000, memoryMb: 160, maxOutputBytes: 2000 });
    const first = small.run('user-a', { mode: 'eval', code: '1', files: [] }, new AbortController().signal);
    const controller = new AbortController();
    const queued = small.run('user-b', { mode: 'eval', code: '2', files: [] }, controller.signal);
    const started = Date.now();
    controller.abort();
    const outcome = await queued;
    assert.ok(Date.now() - started < 200);
    assert.equal(outcome.type === 'stopped' && outcome.reason, 'aborted');
    await small.close();
    assert.equal(small.size, 0);
    const firstOutcome = await first;
    assert.equal(firstOutcome.type === 'stopped' && firstOutcome.reason, 'unavailable');
  });
});

describe('host paths in Python answers', () => {
  let root: string;
  let pool: ReturnType<typeof createPythonPool>;
  let tool: ToolDefinition;
  const checkout = path.resolve(import.meta.dirname, '../../..');

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'colloquy-python-paths-'));
    pool = createPythonPool({ size: 1, timeoutMs: 60_000, memoryMb: 160, maxOutputBytes: 20_000 });
    const scheduler = createFairScheduler({ name: 'Python', slots: 1, perUserRunning: 1, perUserQueued: 10 });
    tool = createPythonTools(pool, createWorkspaceStore({ root, quotaBytes: 100_000, maxEntries: 1000 }), scheduler).find((each) => each.name === 'python_execute')!;
  });
  after(async () => {
    await pool.close();
    await rm(root, { recursive: true, force: true });
  });

  it('names no host file in a traceback through a JavaScript frame, in stderr or in a value', { timeout: 120_000 }, async () => {
    const context = { userId: 'paths-user', permissionLevel: 3, toolCallId: 'call-1', signal: new AbortController().signal };
    const raised = await tool.execute({ code: 'import pyodide_js\npyodide_js.loadPackage("numpy")' }, context);
    assert.equal(raised.isError, true);
    assert.match(raised.output, /pyodide.loadPackage is not available in the Python sandbox/);
    assert.match(raised.output, /File \\"<server>\\", line \d+, in Object.refused/);
    assert.match(raised.output, /File \\"<code>\\", line 2/, 'the user’s own frames stay');
    const caught = await tool.execute(
      {
        code: 'import pyodide_js, sys\ntry:\n    pyodide_js.loadPackage("x")\nexcept Exception as error:\n    print(error.js_error.stack, file=sys.stderr)\n    stack = str(error.js_error.stack)\nstack',
      },
      context,
    );
    assert.match(caught.output, /Object\.refused/, caught.output);
    for (const output of [raised.output, caught.output]) {
      assert.ok(!output.includes(checkout), output);
      assert.ok(!output.includes('python-lockdown'), output);
    }
  });
});
