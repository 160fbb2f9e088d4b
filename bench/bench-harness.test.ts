import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { sendOnce, streamOnce } from './load.ts';
import { planFor } from './plan.ts';
import { rowsOf, textTable } from './report.ts';
import { scriptOf, startFakeUpstream } from './servers/fake-upstream.mjs';
import { formatNumber, formatRatio, median, percentile, ratio, slope } from './stats.ts';

describe('bench stats', () => {
  it('takes medians of odd and even counts and ignores missing values', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([Number.NaN, 7]), 7);
    assert.ok(Number.isNaN(median([])));
  });

  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 100), 100);
  });

  it('formats ratios and refuses a missing or zero base', () => {
    assert.equal(formatRatio(ratio(3, 2)), '1.50×');
    assert.equal(formatRatio(ratio(25, 2)), '12.5×');
    assert.equal(formatRatio(ratio(1, 0)), 'n/a');
    assert.equal(formatRatio(ratio(Number.NaN, 2)), 'n/a');
    assert.equal(formatNumber(0.012345), '0.0123');
    assert.equal(formatNumber(12345.6), '12346');
  });

  it('fits a slope through points', () => {
    assert.equal(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]), 2);
    assert.ok(Number.isNaN(slope([{ x: 1, y: 1 }])));
  });

  it('puts ratios against the floor and Portkey into rows, and n/a with the reason', () => {
    const rows = rowsOf(
      { floor: { value: 2, rounds: [] }, 'colloquy-proxy': { value: 3, rounds: [] }, portkey: { value: Number.NaN, rounds: [], unavailable: 'not installed' } },
      ['floor', 'colloquy-proxy', 'portkey'],
      { metric: 'M2', unit: 'ms' },
    );
    assert.equal(rows[1]!.vsFloor, 1.5);
    assert.match(textTable(rows), /portkey\s+n\/a .*n\/a: not installed/);
  });
});

describe('bench plan', () => {
  it('scales M9 to what the open-file limit allows and says why', () => {
    const plan = planFor('default');
    assert.ok(plan.m9Streams <= 10_000);
    if (plan.m9Streams < 10_000) assert.match(plan.m9ScaledBecause ?? '', /ulimit -n/);
    assert.match(planFor('quick').m9ScaledBecause ?? '', /quick/);
  });
});

describe('bench fake upstream', () => {
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let pool: Pool;
  before(async () => {
    upstream = await startFakeUpstream();
    pool = new Pool(upstream.url, { connections: 2 });
  });
  after(async () => {
    await pool.close();
    await upstream.close();
  });

  it('reads its script from the model name', () => {
    assert.deepEqual(scriptOf('bench-50-3-7'), { delayMs: 50, chunks: 3, intervalMs: 7 });
    assert.deepEqual(scriptOf('gpt-4o'), { delayMs: 0, chunks: 10, intervalMs: 0 });
  });

  it('answers a non-streamed chat completion', async () => {
    const answer = JSON.parse(await sendOnce(pool, { path: '/v1/chat/completions', headers: {}, body: { model: 'bench-0-3-0', messages: [] } }));
    assert.equal(answer.object, 'chat.completion');
    assert.equal(answer.choices[0].message.content, 'w0 w1 w2 ');
    assert.equal(answer.usage.completion_tokens, 3);
  });

  it('streams chunks at the scripted pace, then usage and [DONE]', async () => {
    const outcome = await streamOnce(
      pool,
      { path: '/v1/chat/completions', headers: {}, body: { model: 'bench-20-4-10', messages: [], stream: true, stream_options: { include_usage: true } } },
      { lastToken: 'w3 ', endMarker: '[DONE]' },
    );
    assert.ok(outcome.complete);
    assert.ok(outcome.firstTokenMs >= 19, `first token after the 20 ms delay, was ${outcome.firstTokenMs}`);
    assert.ok(outcome.totalMs >= outcome.firstTokenMs + 25, 'three more chunks 10 ms apart');
  });
});
