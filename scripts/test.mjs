#!/usr/bin/env node
// Runs every check and test suite and ends with one line that totals them all:
// `N passed, N failed[, N skipped]`. Exits non-zero when anything failed. The browser journeys
// spend most of their time waiting for migrations, so they run beside the checks (their output
// held back and printed whole when they end), and the node suites start once both are done.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const totals = { passed: 0, failed: 0, skipped: 0 };
const only = process.argv.slice(2);

/** Runs a command; `quiet` holds its output back and returns it instead of printing it. */
function run(cmd, args, { capture = false, quiet = false, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      if (!quiet) process.stdout.write(d);
      if (capture || quiet) out += d;
    });
    child.stderr.on('data', (d) => {
      if (quiet) out += d;
      else process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function testFiles(...dirs) {
  const files = [];
  for (const dir of dirs) {
    let entries = [];
    try {
      entries = readdirSync(path.join(root, dir), { recursive: true });
    } catch {
      continue;
    }
    for (const e of entries)
      if (String(e).endsWith('.test.ts')) files.push(path.join(dir, String(e)));
  }
  return files.sort();
}

/** A check (typecheck, lint) counts as one test that passed or failed. */
async function check(name, cmd, args) {
  console.log(`\n▶ ${name}: ${cmd} ${args.join(' ')}`);
  const { code } = await run(cmd, args);
  if (code === 0) totals.passed++;
  else {
    totals.failed++;
    console.log(`✖ ${name} failed (exit ${code})`);
  }
}

/** node's test runner, with its spec reporter's closing counts added to the totals. */
async function nodeTests(name, files) {
  if (files.length === 0) return;
  console.log(`\n▶ ${name}: ${files.length} test files`);
  const { code, out } = await run(
    process.execPath,
    // --test-force-exit: a file whose tests are done ends even if it leaked a timer or socket
    // (such a leak once kept a file's process, and so CI, waiting forever).
    [
      '--import',
      'tsx',
      '--test',
      '--test-force-exit',
      '--test-reporter=spec',
      '--test-concurrency=2',
      ...files,
    ],
    { capture: true },
  );
  const num = (label) => Number((out.match(new RegExp(`^ℹ ${label} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  const pass = num('pass');
  const fail = num('fail') + num('cancelled');
  totals.passed += pass;
  totals.failed += fail;
  totals.skipped += num('skipped') + num('todo');
  if (code !== 0 && fail === 0) totals.failed++; // the runner itself failed
}

/** Jest (the console plugin's unit tests), its totals read from its JSON report. */
async function jestTests() {
  const report = path.join(root, '.tmp', 'jest-results.json');
  mkdirSync(path.dirname(report), { recursive: true });
  rmSync(report, { force: true });
  console.log('\n▶ jest: console plugin unit tests');
  const { code } = await run('npx', ['jest', '--ci', '--json', `--outputFile=${report}`]);
  let r;
  try {
    r = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    totals.failed++; // no report: Jest itself failed
    return;
  }
  const fail = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  totals.passed += r.numPassedTests;
  totals.failed += fail;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  if (code !== 0 && fail === 0) totals.failed++;
}

/** The browser journeys (e2e/), their totals read from Playwright's JSON report. */
async function e2eTests() {
  const report = path.join(root, 'e2e', 'results', 'report.json');
  rmSync(report, { force: true });
  console.log('\n▶ e2e: browser journeys (Playwright, Chromium), beside the checks');
  const { code, out } = await run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts'], {
    quiet: true,
    env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  console.log('\n▶ e2e: browser journeys (Playwright, Chromium): their output');
  process.stdout.write(out);
  let r;
  try {
    r = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    totals.failed++; // no report: Playwright itself failed (e.g. the stack did not start)
    return;
  }
  const s = r.stats ?? {};
  const fail = (s.unexpected ?? 0) + (s.flaky ?? 0);
  totals.passed += s.expected ?? 0;
  totals.failed += fail;
  totals.skipped += s.skipped ?? 0;
  if (code !== 0 && fail === 0) totals.failed++;
}

const checks = {
  typecheck: () => check('typecheck', 'npx', ['tsc', '-b']),
  lint: () => check('lint', 'npx', ['eslint', '--max-warnings', '0', '.']),
  format: () => check('format', 'npx', ['prettier', '--check', '.']),
  i18n: () =>
    check('i18n catalogue in sync', 'npx', ['tsx', 'frontend/i18n/extract.ts', '--check']),
  'plugin-build': () =>
    check('plugin build and manifest', 'npm', ['run', '--silent', 'build:plugin']),
  jest: jestTests,
};
const wanted = (name) => only.length === 0 || only.includes(name);

const journeys = wanted('e2e') ? e2eTests() : Promise.resolve();
for (const [name, suite] of Object.entries(checks)) if (wanted(name)) await suite();
await journeys;
if (wanted('unit'))
  await nodeTests('sim + backend + tools tests', testFiles('sim', 'backend', 'tools'));

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
