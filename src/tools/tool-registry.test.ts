import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createToolRegistry, type ToolDefinition, type ToolSource } from './tool-registry.ts';

const tool = (name: string, permissionLevel: number): ToolDefinition => ({
  name,
  description: name,
  category: 'test',
  permissionLevel,
  inputSchema: { type: 'object' },
  execute: async () => ({ output: name, isError: false }),
});

/** A per-user source that counts how often it was asked. */
function userSource(toolsByUser: Record<string, ToolDefinition[]>) {
  const calls: string[] = [];
  const source: ToolSource = {
    async list(userId) {
      calls.push(userId);
      return toolsByUser[userId] ?? [];
    },
  };
  return { source, calls };
}

describe('tool registry', () => {
  it('offers the named tools at or below the level, and leaves out unknown ones', async () => {
    const registry = createToolRegistry([tool('read', 1), tool('write', 2), tool('run', 3)]);
    const names = async (level: number) => (await registry.available('u1', ['read', 'write', 'run', 'nope', 'read'], level)).map((found) => found.name);
    assert.deepEqual(await names(1), ['read']);
    assert.deepEqual(await names(2), ['read', 'write']);
    assert.deepEqual(await names(4), ['read', 'write', 'run']);
    assert.deepEqual(await registry.available('u1', [], 4), []);
  });

  it('adds per-user source tools, which never shadow built-in ones', async () => {
    const registry = createToolRegistry([tool('read', 1)]);
    const { source, calls } = userSource({ alice: [tool('srv__search', 3), tool('read', 1)], bob: [] });
    registry.addSource(source);
    assert.deepEqual((await registry.list('alice')).map((found) => found.name), ['read', 'srv__search']);
    assert.deepEqual((await registry.list('bob')).map((found) => found.name), ['read']);
    assert.equal((await registry.find('bob', 'srv__search')), undefined);
    assert.equal((await registry.find('alice', 'srv__search'))?.permissionLevel, 3);
    assert.deepEqual((await registry.available('alice', ['srv__search'], 2)).map((found) => found.name), []);
    assert.deepEqual((await registry.available('alice', ['srv__search'], 3)).map((found) => found.name), ['srv__search']);
    // The built-in tool is the one found under its name, not the source's copy.
    assert.equal((await registry.find('alice', 'read'))?.category, 'test');
    const before = calls.length;
    await registry.available('alice', ['read'], 1);
    assert.equal(calls.length, before, 'only built-in names asked for: the sources are not listed');
  });

  it('leaves out a source that fails, and reports it', async () => {
    const errors: unknown[] = [];
    const registry = createToolRegistry([tool('read', 1)], { onSourceError: (error) => errors.push(error) });
    registry.addSource({ list: async () => Promise.reject(new Error('server down')) });
    registry.addSource(userSource({ u1: [tool('other__x', 3)] }).source);
    assert.deepEqual((await registry.list('u1')).map((found) => found.name), ['read', 'other__x']);
    assert.equal(errors.length, 1);
  });

  it('explains refusals: unknown tool, level too low, or not enabled', async () => {
    const registry = createToolRegistry([tool('read', 1), tool('run', 3)]);
    assert.deepEqual(await registry.refusalFor('u1', 'ghost', 4), { reason: 'unknown_tool', message: 'There is no tool named "ghost".' });
    const low = await registry.refusalFor('u1', 'run', 1);
    assert.equal(low.reason, 'permission_level');
    assert.equal(low.message, 'Tool "run" needs the EXECUTE permission level (3); this user has READ_ONLY (1).');
    assert.equal((await registry.refusalFor('u1', 'read', 1)).reason, 'not_enabled');
  });

  it('refuses two built-in tools with one name', () => {
    assert.throws(() => createToolRegistry([tool('same', 1), tool('same', 2)]), /two built-in tools are named same/);
  });
});
