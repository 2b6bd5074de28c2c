#!/usr/bin/env node
// `npm run build [-- backend|plugin …] [--out-dir DIR] [--dry-run | --check]`: builds what the
// container image ships (--check only re-checks an existing backend build).
// - backend: the BFF compiled to JavaScript (backend/tsconfig.build.json, tests left out) into
//   dist/backend, then checked to import nothing but Node's modules, its own files and the
//   package's runtime dependencies: the image installs `npm install --omit=dev` and has no sim/.
// - plugin: the console plugin (`npm run build:plugin`, webpack, into dist/plugin) when
//   webpack.config.ts exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'out-dir': { type: 'string' },
    'dry-run': { type: 'boolean' },
    check: { type: 'boolean' },
  },
});
const known = ['backend', 'plugin'];
for (const p of positionals) if (!known.includes(p)) fail(`unknown build step "${p}"`);
const wanted = positionals.length ? positionals : known;
const steps = wanted.filter(
  (s) => s !== 'plugin' || existsSync(path.join(root, 'webpack.config.ts')),
);
const outDir = path.resolve(root, opts['out-dir'] ?? 'dist');

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function run(cmd, args) {
  console.log(`build: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function jsFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js'))
    .map((f) => path.join(dir, f));
}

/** Every module a compiled file imports (static and dynamic imports, export … from). */
function importsOf(source) {
  const specs = [];
  const re =
    /(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

function checkBackend(dir) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
  const builtins = new Set(builtinModules);
  const problems = [];
  const files = jsFiles(dir);
  if (!files.some((f) => path.relative(dir, f) === 'main.js')) problems.push('no main.js');
  for (const file of files) {
    const rel = path.relative(dir, file);
    if (/\.test\.js$|test-support\.js$/.test(rel))
      problems.push(`${rel}: a test file in the build`);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(dir + path.sep))
          problems.push(`${rel}: imports ${spec}, outside the build`);
        else if (!existsSync(target)) problems.push(`${rel}: imports ${spec}, which was not built`);
        continue;
      }
      const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
      const name = bare.startsWith('@')
        ? bare.split('/').slice(0, 2).join('/')
        : bare.split('/')[0];
      if (
        !(spec.startsWith('node:') ? builtins.has(bare) : builtins.has(name) || runtime.has(name))
      )
        problems.push(`${rel}: imports ${spec}, not a runtime dependency in package.json`);
    }
  }
  if (problems.length)
    fail(`the compiled backend cannot run in the image:\n  ${problems.join('\n  ')}`);
  console.log(`build: backend OK (${files.length} files in ${path.relative(root, dir) || '.'})`);
}

if (opts.check) {
  checkBackend(path.join(outDir, 'backend'));
  process.exit(0);
}
if (opts['dry-run']) {
  console.log(`build steps: ${steps.join(' ')}`);
  process.exit(0);
}
for (const step of steps) {
  if (step === 'backend') {
    const dir = path.join(outDir, 'backend');
    rmSync(dir, { recursive: true, force: true });
    run(process.execPath, [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      'backend/tsconfig.build.json',
      '--outDir',
      dir,
    ]);
    checkBackend(dir);
  } else if (step === 'plugin') {
    if (opts['out-dir'])
      fail('--out-dir applies to the backend only; the plugin build writes dist/plugin');
    run('npm', ['run', '--silent', 'build:plugin']);
  }
}
