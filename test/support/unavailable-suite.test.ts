import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const shellSuites = ['src/tools/shell/shell-tool.test.ts', 'src/tools/shell/shell-workspace-lock.test.ts'];

/** A PATH that holds node and nothing else, so bubblewrap is not found. */
const bareBin = mkdtempSync(path.join(os.tmpdir(), 'colloquy-no-bwrap-'));
symlinkSync(process.execPath, path.join(bareBin, 'node'));

function runWithoutBubblewrap(file: string, extra: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: bareBin, HOME: os.tmpdir(), ...extra },
    timeout: 120_000,
  });
  const summary = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(run.stdout)?.[1]);
  return { status: run.status, output: run.stdout + run.stderr, skipped: summary('skipped'), failed: summary('fail') };
}

describe('a suite without its system package (bubblewrap off PATH)', () => {
  after(() => rmSync(bareBin, { recursive: true, force: true }));

  for (const file of shellSuites) {
    it(`${path.basename(file)} is skipped visibly: counted in the summary, with a line saying why`, () => {
      const run = runWithoutBubblewrap(file);
      assert.equal(run.status, 0, run.output);
      assert.ok(run.skipped >= 1, `node's summary counts the skip:\n${run.output}`);
      assert.match(run.output, /# .*skipped: .*bubblewrap/, run.output);
      assert.match(run.output, /# SKIP .*bubblewrap/, 'the skipped test carries the reason');
    });

    it(`${path.basename(file)} fails in CI`, () => {
      const run = runWithoutBubblewrap(file, { CI: 'true' });
      assert.notEqual(run.status, 0, run.output);
      assert.ok(run.failed >= 1, run.output);
      assert.match(run.output, /bubblewrap/);
    });
  }
});
