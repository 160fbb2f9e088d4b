import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIdGenerator } from './ids.ts';

describe('UUIDv7 ids', () => {
  it('are version 7, RFC 4122 variant, and sort in creation order within one millisecond', () => {
    const newId = createIdGenerator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, newId);
    for (const id of ids.slice(0, 20)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('stay ordered when the clock goes backwards', () => {
    let now = 2_000_000;
    const newId = createIdGenerator(() => now);
    const first = newId();
    now -= 1000;
    const second = newId();
    assert.ok(second > first);
  });

  it('carry the creation time in the first 48 bits', () => {
    const newId = createIdGenerator(() => 1_700_000_123_456);
    const id = newId().replace(/-/g, '');
    assert.equal(parseInt(id.slice(0, 12), 16), 1_700_000_123_456);
  });
});
