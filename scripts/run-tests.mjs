// Runs the lint, then every *.test.ts under src/, test/ and bench/ with node's test runner
// through tsx (Node 20's --test does not expand globs itself). A failing lint fails the run.
//
// `npm test -- <word> [<word>…]` runs only the test files whose path contains a word, and skips
// the lint (about a minute of CPU), so a focused run stays quick; `npm run lint` runs it alone.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findTests(directory) {
  let found = [];
  let entries;
  try {
    entries = readdirSync(directory);
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry === 'node_modules') continue;
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) found = found.concat(findTests(full));
    else if (entry.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = ['src', 'test', 'bench']
  .flatMap(findTests)
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The lint runs first; the tests run even when it fails, so one run reports both.
let lintFailed = false;
if (filters.length === 0) {
  const eslint = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'eslint', 'bin', 'eslint.js');
  console.log('# lint: eslint --max-warnings=0 .');
  const lint = spawnSync(process.execPath, [eslint, '--max-warnings=0', '.'], { stdio: 'inherit' });
  lintFailed = lint.status !== 0;
  console.log(lintFailed ? '# lint failed (see above; npm run lint runs it alone)' : '# lint passed');
} else {
  console.log('# lint skipped for a focused run (npm test without words, or npm run lint, runs it)');
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
if (lintFailed) console.error('# lint failed: the run fails even though the tests may have passed');
process.exit(lintFailed ? 1 : (result.status ?? 1));
