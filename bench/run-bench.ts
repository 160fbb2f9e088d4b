// `npm run bench [-- --quick | --soak] [--profile]`: starts the fake upstream, the floor proxy,
// Colloquy and Portkey's gateway on loopback, measures M1–M9 of issue 7, prints one table and
// writes JSON plus a dated markdown summary to bench/results/. Every child dies with this process.
import { cpus } from 'node:os';
import path from 'node:path';
import { benchScratch, type ServerProcess } from './child-processes.ts';
import { createAccount, createConversation, repositoryRoot, startColloquy, startFloor, startPortkey, startUpstream } from './bench-servers.ts';
import { closedLoop, streamOnce } from './load.ts';
import { concurrentStreams, fullTurn, leakSlope, memoryPerIdleSocket, memoryPerOpenStream } from './metrics-capacity.ts';
import { addedFirstToken, addedLatency, cpuPerFrame, cpuPerRequest, throughput, type Figure, type FigureSet } from './metrics-requests.ts';
import { planFor } from './plan.ts';
// @ts-expect-error: plain JavaScript build script, no type declarations
import { build, isBuildCurrent } from '../scripts/build.mjs';
import { rowsOf, textTable, writeResults, type Row } from './report.ts';
import { median } from './stats.ts';
import { colloquyNativeTarget, colloquyPersistTarget, colloquyProxyTarget, directTarget, floorTarget, portkeyTarget, type Target } from './targets.ts';

const args = process.argv.slice(2);
const plan = planFor(args.includes('--quick') ? 'quick' : args.includes('--soak') ? 'soak' : 'default');
const profile = args.includes('--profile');
const began = performance.now();
const notes: string[] = [];
const log = (message: string) => process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1)} s] ${message}\n`);

// Colloquy starts from its bundle, built when the sources change; build it now, outside every timing.
if (!isBuildCurrent()) {
  log('building the bundle (the sources changed since the last build)');
  await build();
}

const upstream = await startUpstream();
const floor = await startFloor(upstream);
const colloquy = await startColloquy(upstream, profile ? { cpuProfileDirectory: path.join(repositoryRoot, 'bench/results/profiles') } : {});
const portkeyStart = await startPortkey();
const portkey = 'unavailable' in portkeyStart ? undefined : portkeyStart;
if (!portkey) notes.push(`Portkey n/a: ${(portkeyStart as { unavailable: string }).unavailable}`);
log(`servers up (colloquy pid ${colloquy.pid})`);

const account = await createAccount(colloquy);
const nativeConversations: string[] = [];
for (let index = 0; index < 20; index += 1) nativeConversations.push(await createConversation(colloquy, account, 'bench-0-10-0'));

const direct = directTarget(upstream);
const floorT = floorTarget(floor);
const proxy = colloquyProxyTarget(colloquy, account);
const persist = colloquyPersistTarget(colloquy, account);
const native = colloquyNativeTarget(colloquy, account, nativeConversations);
const portkeyT = portkey ? portkeyTarget(portkey, upstream) : undefined;
const withPortkey = (targets: Target[]) => (portkeyT ? [...targets, portkeyT] : targets);
const portkeyMissing = (figures: FigureSet) => {
  if (!portkeyT) figures.portkey = { value: Number.NaN, rounds: [], unavailable: (portkeyStart as { unavailable: string }).unavailable };
  return figures;
};

// Warm-up: JIT, pools and caches, so the first measured round is not the first request.
for (const target of withPortkey([direct, floorT, proxy, persist])) {
  const pool = target.pool(4);
  await closedLoop(pool, (index) => target.request('bench-0-10-0', false, index), { concurrency: 4, count: 100 });
  await pool.close();
}
for (const target of withPortkey([floorT, proxy, persist, native])) {
  const pool = target.pool(1);
  for (let index = 0; index < 10; index += 1) await streamOnce(pool, target.request('bench-0-5-0', true, index), { lastToken: 'w4 ', endMarker: target.endMarker }).catch(() => undefined);
  await pool.close();
}
await new Promise((resolve) => setTimeout(resolve, 1000));
const idleRss: FigureSet = {};
for (const server of [floor, colloquy, portkey].filter(Boolean) as ServerProcess[]) {
  const name = server.name === 'colloquy' ? 'colloquy' : server.name;
  idleRss[name] = { value: (await import('./process-meter.ts')).rssBytes(server.pid) / 1024 / 1024, rounds: [] };
}
portkeyMissing(idleRss);
log('warm; measuring');

const order = ['direct', 'floor', 'colloquy-proxy', 'colloquy-persist', 'colloquy-native', 'colloquy', 'colloquy-ws', 'portkey'];
const rows: Row[] = [];
const step = async (name: string, work: () => Promise<void>) => {
  const started = performance.now();
  try {
    await work();
  } catch (error) {
    notes.push(`${name} failed: ${(error as Error).message.split('\n')[0]}`);
  }
  log(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
};
const verdict = (figure: Figure | undefined, test: (value: number) => boolean, text: string) =>
  !figure || !Number.isFinite(figure.value) ? `${text}: n/a` : `${text}: ${test(figure.value) ? 'met' : 'NOT met'}`;

await step('M1', async () => {
  const figures = portkeyMissing(await addedLatency(direct, withPortkey([floorT, proxy, persist]), plan));
  rows.push(...rowsOf(figures, order, { metric: 'M1 added latency c=1', unit: 'ms' }));
});
await step('M2', async () => {
  const figures = portkeyMissing(await cpuPerRequest(withPortkey([floorT, proxy, persist]), plan));
  const floorCpu = figures.floor?.value ?? Number.NaN;
  const portkeyCpu = figures.portkey?.value ?? Number.NaN;
  rows.push(
    ...rowsOf(figures, order, {
      metric: `M2 CPU/request @${plan.m2Rate} rps`,
      unit: 'ms',
      goals: {
        'colloquy-proxy': `${verdict(figures['colloquy-proxy'], (value) => value <= 1.5 * floorCpu, '≤1.5× floor')}; ${verdict(figures['colloquy-proxy'], (value) => value * 8 <= portkeyCpu, '≥8× cheaper than Portkey')}`,
        'colloquy-persist': verdict(figures['colloquy-persist'], (value) => value <= 3 * floorCpu, '≤3× floor'),
      },
    }),
  );
});
await step('M3', async () => {
  const figures = portkeyMissing(await throughput(direct, withPortkey([floorT, proxy]), plan));
  const directRps = figures.direct?.value ?? Number.NaN;
  for (const [name, figure] of Object.entries(figures)) {
    if (figure && name !== 'direct' && Number.isFinite(figure.value)) figure.note = `${((figure.value / directRps) * 100).toFixed(0)} % of direct${figure.note ? `; ${figure.note}` : ''}`;
  }
  rows.push(
    ...rowsOf(figures, order, {
      metric: `M3 req/s c=${plan.m3Concurrency}, 50 ms upstream`,
      unit: 'req/s',
      goals: { 'colloquy-proxy': verdict(figures['colloquy-proxy'], (value) => value >= 0.9 * directRps, '≥90 % of direct') },
    }),
  );
});
await step('M4', async () => {
  const figures = portkeyMissing(await addedFirstToken(direct, withPortkey([floorT, proxy, persist, native]), plan));
  const goal = (name: string) => verdict(figures[name], (value) => value <= 0.5, '≤0.5 ms');
  rows.push(
    ...rowsOf(figures, order, {
      metric: 'M4 added time to first token',
      unit: 'ms',
      goals: { 'colloquy-proxy': goal('colloquy-proxy'), 'colloquy-persist': goal('colloquy-persist'), 'colloquy-native': goal('colloquy-native') },
    }),
  );
});
await step('M5', async () => {
  const figures = portkeyMissing(await cpuPerFrame(withPortkey([floorT, proxy, persist, native]), plan));
  rows.push(...rowsOf(figures, order, { metric: `M5 CPU/streamed frame (${plan.m5Chunks} frames/stream)`, unit: 'µs' }));
});
await step('M6', async () => {
  const streams = portkeyMissing(await memoryPerOpenStream(withPortkey([floorT, proxy]), plan));
  rows.push(
    ...rowsOf(streams, order, {
      metric: `M6 RSS/open stream (${plan.m6Streams})`,
      unit: 'KB',
      goals: { 'colloquy-proxy': verdict(streams['colloquy-proxy'], (value) => value <= 32, '≤32 KB') },
    }),
  );
  const sockets = { 'colloquy-ws': await memoryPerIdleSocket(colloquy, account.accessToken, plan) };
  rows.push(
    ...rowsOf(sockets, order, {
      metric: `M6 RSS/idle WebSocket (${plan.m6Sockets})`,
      unit: 'KB',
      goals: { 'colloquy-ws': verdict(sockets['colloquy-ws'], (value) => value <= 12, '≤12 KB') },
    }),
  );
});
await step('M8', async () => {
  const freshConversation = () => createConversation(colloquy, account, 'bench-0-20-0');
  const { wall, cpu } = await fullTurn(native, proxy, floorT, plan, freshConversation);
  rows.push(...rowsOf(wall, order, { metric: 'M8 persisted native turn vs proxy: wall', unit: 'ms' }));
  rows.push(...rowsOf(cpu, order, { metric: 'M8 persisted native turn vs proxy: CPU', unit: 'ms' }));
});
await step('M7 soak', async () => {
  const figure = await leakSlope(colloquy, proxy, persist, plan);
  rows.push(...rowsOf({ colloquy: figure }, order, { metric: 'M7 RSS slope over soak', unit: 'KB/1k req' }));
});
await step('M9', async () => {
  if (plan.m9ScaledBecause) notes.push(`M9 scaled down to ${plan.m9Streams} streams: ${plan.m9ScaledBecause}`);
  const figure = await concurrentStreams(proxy, plan);
  rows.push(
    ...rowsOf({ 'colloquy-proxy': figure }, order, {
      metric: `M9 dropped of ${figure.opened} concurrent streams`,
      unit: 'streams',
      goals: { 'colloquy-proxy': verdict(figure, (value) => value === 0, 'none dropped') },
    }),
  );
});
await step('M7 start', async () => {
  rows.push(
    ...rowsOf(idleRss, order, { metric: 'M7 idle RSS', unit: 'MB', goals: { colloquy: verdict(idleRss.colloquy, (value) => value <= 100, '≤100 MB') } }),
  );
  const starts: Record<string, number[]> = { floor: [floor.coldStartMs], colloquy: [colloquy.coldStartMs], ...(portkey ? { portkey: [portkey.coldStartMs] } : {}) };
  for (let round = 1; round < plan.m7ColdStarts; round += 1) {
    const starters: Array<{ name: string; start: () => Promise<ServerProcess | { unavailable: string }> }> = [
      { name: 'floor', start: () => startFloor(upstream) },
      { name: 'colloquy', start: () => startColloquy(upstream) },
      ...(portkey ? [{ name: 'portkey', start: startPortkey }] : []),
    ];
    for (const { name, start } of starters) {
      const server = await start();
      if ('unavailable' in server) continue;
      starts[name]!.push(server.coldStartMs);
      await server.stop();
    }
  }
  const figures = portkeyMissing(Object.fromEntries(Object.entries(starts).map(([name, rounds]) => [name, { value: median(rounds), rounds }])));
  rows.push(
    ...rowsOf(figures, order, {
      metric: 'M7 cold start to first 200 (fresh data dir)',
      unit: 'ms',
      goals: { colloquy: verdict(figures.colloquy, (value) => value <= 1000, '≤1 s') },
    }),
  );
});

await Promise.all([portkey, colloquy, floor, upstream].filter(Boolean).map((server) => (server as ServerProcess).stop()));
const durationSeconds = (performance.now() - began) / 1000;
const date = new Date().toISOString();
notes.push(`Ran on ${cpus().length} shared cores; other work on the machine adds noise to absolute times.`);
if (profile) notes.push(`CPU profile of Colloquy written to bench/results/profiles/`);
console.log(textTable(rows));
for (const note of notes) console.log(`- ${note}`);
const written = writeResults(path.join(repositoryRoot, 'bench/results'), {
  date,
  command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
  mode: plan.mode,
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  durationSeconds,
  notes,
}, rows);
console.log(`\nwrote ${path.relative(repositoryRoot, written.json)} and ${path.relative(repositoryRoot, written.markdown)} (${durationSeconds.toFixed(0)} s; scratch ${benchScratch} removed)`);
process.exit(0);
