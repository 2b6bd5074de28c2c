// `npm run build` and the Containerfile: the image's build steps run here (except the ones that
// need a container runtime): the backend is built from exactly the files the build context
// keeps (.containerignore), checked to need no dev dependency and nothing from sim/, and the
// compiled BFF starts (and stops at its configuration check, so no cluster is needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
// Outside the checkout, so that linters and type checks running meanwhile never see the copy.
const work = mkdtempSync(path.join(os.tmpdir(), 'hub-migration-build-test-'));
const context = path.join(work, 'context');

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The Containerfile as stages of [instruction, arguments]. */
function containerfile(): { from: string; steps: [string, string][] }[] {
  const text = readFileSync(path.join(root, 'Containerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: { from: string; steps: [string, string][] }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'FROM') stages.push({ from: m[2], steps: [] });
    else stages.at(-1)?.steps.push([m[1], m[2].replace(/\s+/g, ' ').trim()]);
  }
  return stages;
}

/** Whether .containerignore drops a path (its patterns: names, top-level paths, *.ext). */
function ignored(rel: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    if (p.startsWith('*.')) return rel.endsWith(p.slice(1));
    return rel === p || rel.startsWith(`${p}/`);
  });
}

before(() => {
  // The build context: every file of the checkout the ignore file keeps.
  const patterns = readFileSync(path.join(root, '.containerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (ignored(child, patterns)) continue;
      if (entry.isDirectory()) walk(child);
      else cpSync(path.join(root, child), path.join(context, child));
    }
  };
  walk('');
  // `npm install` in the image; here the checkout's node_modules stands in for it.
  symlinkSync(path.join(root, 'node_modules'), path.join(context, 'node_modules'), 'dir');
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('the build', () => {
  test('the context keeps what the build needs and drops what the image must not have', () => {
    for (const f of [
      'package.json',
      'package-lock.json',
      'tsconfig.base.json',
      'scripts/build.mjs',
    ])
      assert.ok(existsSync(path.join(context, f)), `${f} is missing from the build context`);
    assert.ok(existsSync(path.join(context, 'backend/src/main.ts')));
    for (const f of ['sim', '.git', 'dist', 'charts'])
      assert.ok(!existsSync(path.join(context, f)), `${f} is in the build context`);
    assert.equal(
      readFileSync(path.join(root, '.dockerignore'), 'utf8'),
      readFileSync(path.join(root, '.containerignore'), 'utf8'),
    );
  });

  test('the backend builds from the context alone and its output runs', () => {
    const build = sh(process.execPath, ['scripts/build.mjs', 'backend'], context);
    assert.equal(build.code, 0, build.out);
    assert.match(build.out, /build: backend OK/);
    const out = path.join(context, 'dist/backend');
    const files = readdirSync(out, { recursive: true }).map(String);
    assert.ok(files.includes('main.js'));
    assert.ok(!files.some((f) => /\.test\.js$|test-support/.test(f)), 'tests are not built');
    // The compiled BFF loads every module it imports, then refuses a bad setting: exit 2 with
    // the configuration error (ESM links all static imports before main runs).
    const run = sh(process.execPath, [path.join(out, 'main.js')], context, {
      ENGINE_CONCURRENCY: 'zero',
    });
    assert.equal(run.code, 2, run.out);
    assert.match(run.out, /invalid configuration/);
    assert.match(
      run.out,
      /ENGINE_CONCURRENCY must be a whole number of at least 1, got \\?"zero\\?"/,
    );
  });

  test('the import check refuses dev dependencies and anything outside the build', () => {
    const out = path.join(context, 'dist/backend');
    assert.ok(existsSync(path.join(out, 'main.js')), 'runs after the build test');
    const check = () => sh(process.execPath, ['scripts/build.mjs', '--check'], context);
    assert.equal(check().code, 0, check().out);
    writeFileSync(
      path.join(out, 'dev.js'),
      "import { build } from 'esbuild';\nexport { build };\n",
    );
    writeFileSync(path.join(out, 'sim.js'), "export * from '../../sim/fleet.js';\n");
    writeFileSync(path.join(out, 'late.test.js'), 'export {};\n');
    const bad = check();
    assert.equal(bad.code, 1);
    assert.match(bad.out, /dev\.js: imports esbuild, not a runtime dependency/);
    assert.match(bad.out, /sim\.js: imports \.\.\/\.\.\/sim\/fleet\.js, outside the build/);
    assert.match(bad.out, /late\.test\.js: a test file in the build/);
  });

  test('the plugin step runs when the plugin has a webpack config', () => {
    const dry = sh(process.execPath, ['scripts/build.mjs', '--dry-run'], context);
    assert.equal(dry.code, 0, dry.out);
    const hasWebpack = existsSync(path.join(context, 'webpack.config.ts'));
    assert.equal(dry.out.trim(), `build steps: backend${hasWebpack ? ' plugin' : ''}`);
    assert.equal(sh(process.execPath, ['scripts/build.mjs', 'images'], context).code, 1);
  });
});

describe('the Containerfile', () => {
  const stages = containerfile();

  test('builds with every dependency, then runs with production ones only', () => {
    assert.equal(stages.length, 2);
    const [build, runtime] = stages;
    assert.match(build.from, /^registry\.access\.redhat\.com\/ubi9\/nodejs-20:\S+ AS build$/);
    assert.match(runtime.from, /^registry\.access\.redhat\.com\/ubi9\/nodejs-20-minimal:\S+$/);
    const runs = (s: (typeof stages)[number]) =>
      s.steps.filter(([i]) => i === 'RUN').map(([, a]) => a);
    assert.deepEqual(runs(build), ['npm install --no-audit --no-fund', 'npm run build']);
    assert.match(runs(runtime)[0], /^npm install --omit=dev /);
    // Only the build's output: the BFF and the plugin the BFF serves.
    const copied = runtime.steps
      .filter(([i, a]) => i === 'COPY' && a.startsWith('--from=build'))
      .map(([, a]) => a.split(' ').slice(-2).join(' '));
    assert.deepEqual(copied, [
      '/opt/app-root/src/dist/backend ./dist/backend',
      '/opt/app-root/src/dist/plugin ./dist/plugin',
    ]);
    // `npm run build` is this repository's build.
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.equal(pkg.scripts.build, 'node scripts/build.mjs');
  });

  test('runs the built BFF as a non-root user, on the port and with the assets the chart uses', () => {
    const runtime = stages[1];
    const last = (instr: string) => runtime.steps.filter(([i]) => i === instr).at(-1)?.[1];
    assert.match(last('USER') ?? '', /^[1-9][0-9]*$/, 'a numeric, non-root USER');
    assert.equal(last('CMD'), '["node", "dist/backend/main.js"]');
    assert.equal(last('EXPOSE'), '9443');
    const env = last('ENV') ?? '';
    assert.match(env, /PLUGIN_ASSETS_DIR=\/opt\/app-root\/src\/dist\/plugin/);
    assert.match(env, /PORT=9443/);
    assert.equal(last('WORKDIR'), '/opt/app-root/src');
  });
});
