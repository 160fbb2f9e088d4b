// The house rules a tool can check (docs/decisions/0015-lint-and-house-rules.md): the dependency
// direction of DESIGN.md, process.env only in src/config/, outbound HTTP only through src/net/,
// no test code in the product, no import cycles, and a few type-aware checks that find real bugs
// (promises nobody awaits). Nothing stylistic: formatting is not this file's business.
import { defineConfig } from 'eslint/config';
import boundaries from 'eslint-plugin-boundaries';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * What each folder of src/ may import besides itself (anything within a folder is allowed).
 * A folder missing from a list is forbidden. A new folder of src/ is "unlisted" until it gets a
 * row here: nothing may import it and it may import nothing. A new file directly in src/ is part
 * of the composition root unless `files` below names it a support file (a leaf utility that
 * every layer may import, as the logger is).
 *
 * Layers, bottom up:
 * - foundation: errors, config, support (src/diagnostics.ts, src/lazy-require.ts, src/service-info.ts), net;
 * - storage, which knows no domain type;
 * - identity (auth, audit), the owner and the trail every service records to;
 * - capabilities the domain calls: providers, tools, conversations, files, streaming encoders;
 * - the domain: chat, and the modules built on it (agents, app-model, mcp, plugins);
 * - the edges: http, cli, and the composition root (src/*.ts), which may import anything.
 */
const foundation = ['errors', 'config', 'support'];
const identity = ['auth', 'audit'];
const allowedImports = {
  errors: [],
  config: ['errors'],
  support: ['errors', 'config'],
  net: foundation,
  storage: foundation,
  auth: [...foundation, 'net', 'storage', 'audit'],
  audit: [...foundation, 'storage', 'auth'],
  conversations: [...foundation, 'storage', ...identity],
  files: [...foundation, 'net', 'storage', ...identity],
  providers: [...foundation, 'net', 'storage', ...identity],
  tools: [...foundation, 'net', 'storage', ...identity],
  // Encoders turn the chat's events into wire formats: they read chat's event types, never http.
  streaming: [...foundation, 'chat'],
  chat: [...foundation, 'net', 'storage', ...identity, 'conversations', 'files', 'providers', 'tools', 'streaming'],
  'app-model': [...foundation, 'net', 'storage', ...identity, 'conversations', 'files', 'providers', 'tools', 'chat'],
  agents: [...foundation, 'net', 'storage', ...identity, 'conversations', 'files', 'providers', 'tools', 'chat'],
  mcp: [...foundation, 'net', 'storage', ...identity, 'providers', 'tools'],
  plugins: [...foundation, 'net', 'storage', ...identity, 'providers', 'tools'],
};
const edges = ['http', 'cli'];

// Element patterns name folders (first match wins); the files directly in src/ are one element,
// told apart by file category: the two leaf utilities, and the composition root.
const elements = [
  // Test helpers that live beside the code they serve (src/*/test-support/) count as test code.
  { type: 'test-support', pattern: ['test', 'src/*/test-support'], partialMatch: false },
  ...[...Object.keys(allowedImports).filter((folder) => folder !== 'support'), ...edges].map((folder) => ({
    type: folder,
    pattern: `src/${folder}`,
    partialMatch: false,
  })),
  // A folder of src/ missing from the table above: nothing may import it, and it may import nothing.
  { type: 'unlisted', pattern: 'src/*', partialMatch: false },
  { type: 'root', pattern: 'src', partialMatch: false },
  { type: 'bench', pattern: 'bench', partialMatch: false },
  { type: 'scripts', pattern: ['scripts', 'bin'], partialMatch: false },
];
const files = [{ category: 'support', pattern: 'src/{diagnostics,lazy-require,service-info}.ts' }];

const selectorOf = (type) =>
  type === 'support' ? { element: { type: 'root' }, file: { categories: 'support' } }
  : type === 'composition' ? { element: { type: 'root' } }
  : { element: { type } };
const allow = (from, allowed) => ({ from: selectorOf(from), allow: { to: allowed.map(selectorOf) } });
const domainFolders = Object.keys(allowedImports);
// The last policy that matches decides. Support files are root files too, so their narrow
// allowance comes after the composition root's wide one, behind a reset.
const dependencyPolicies = [
  allow('composition', [...domainFolders, ...edges, 'composition']),
  allow('http', [...domainFolders, 'composition']),
  allow('cli', [...domainFolders, 'composition']),
  { from: selectorOf('support'), disallow: { to: { element: { type: '*' } } } },
  ...Object.entries(allowedImports).filter(([, allowed]) => allowed.length > 0).map(([from, allowed]) => allow(from, allowed)),
];

const typeScriptFiles = ['**/*.ts'];
const testFiles = ['**/*.test.ts', 'test/**', 'src/*/test-support/**', 'bench/**'];

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'console/**', 'coverage/**', '**/*.tmp/**'] },
  {
    files: typeScriptFiles,
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process).
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test collects describe/it/test itself; their returned promises need no await.
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      // An async callback where a void one is expected (an event listener, a timer): its
      // rejection goes nowhere. Also a promise used as a condition, which is always true.
      '@typescript-eslint/no-misused-promises': 'error',
      // Awaiting a value that is not a promise: usually a misread signature.
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Tests hand async request handlers to their loopback servers; a rejection there fails the
    // test through the client's error anyway.
    files: ['**/*.test.ts', 'test/**/*.ts', 'src/*/test-support/**/*.ts'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }] },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.mjs', '.js', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import/resolver': { node: { extensions: ['.ts', '.mjs', '.js', '.json'] } },
      'boundaries/elements': elements,
      'boundaries/files': files,
      'boundaries/include': ['src/**', 'test/**', 'bench/**', 'scripts/**', 'bin/**'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The product's dependency direction. Tests may reach across layers to set a scene.
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/*/test-support/**'],
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: dependencyPolicies }],
      'boundaries/no-unknown-dependencies': 'error',
    },
  },
  {
    // Settings are read once, in src/config/. Tests may plant canaries in process.env (to prove a
    // child or a sandbox does not see them) and pass PATH on to the processes they start.
    files: ['src/**', 'scripts/**', 'bin/**'],
    ignores: ['src/config/**', ...testFiles],
    rules: {
      'no-restricted-properties': ['error', {
        object: 'process',
        property: 'env',
        message: 'Read settings in src/config/ (zod-validated, documented in the README) and pass them down.',
      }],
    },
  },
  {
    // Outbound HTTP goes through src/net/ (SSRF rules, size and time caps). Tests and benchmarks
    // are clients of our own loopback servers and may use fetch.
    files: ['src/**/*.ts', 'scripts/**', 'bin/**'],
    ignores: ['src/net/**', ...testFiles],
    rules: {
      'no-restricted-globals': ['error', {
        name: 'fetch',
        message: 'Outbound HTTP goes through src/net/ (the guarded client).',
      }],
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[object.name='globalThis'][property.name='fetch']",
        message: 'Outbound HTTP goes through src/net/.',
      }],
      'no-restricted-imports': ['error', {
        paths: [{ name: 'undici', message: 'Outbound HTTP goes through src/net/.' }],
        patterns: [{ group: ['undici/*'], message: 'Outbound HTTP goes through src/net/.' }],
      }],
    },
  },
);
