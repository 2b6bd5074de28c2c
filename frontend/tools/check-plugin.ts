// Checks the production plugin build in dist/plugin and reports its size:
// - plugin-manifest.json names this plugin, its version and `/api/plugins/<name>/` base URL;
// - its extensions are console-extensions.json (with the `$codeRef`s ConsoleRemotePlugin checked);
// - every load script exists, and every exposed module of package.json is in the container;
// - the English catalogue is shipped under locales/;
// - sizes: the entry and the largest chunk, gzipped, against the budget (entry < 50 KiB,
//   chunks < 300 KiB). Writes dist/plugin-report.json. Exits non-zero when a check fails.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '../..');
const dist = path.join(root, 'dist/plugin');
const KiB = 1024;
const BUDGET = { entry: 50 * KiB, chunk: 300 * KiB };

type Manifest = {
  name: string;
  version: string;
  baseURL: string;
  loadScripts: string[];
  extensions: unknown[];
  dependencies?: Record<string, string>;
  registrationMethod?: string;
};

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  consolePlugin: { name: string; version: string; exposedModules: Record<string, string> };
};
const extensions = JSON.parse(
  readFileSync(path.join(root, 'console-extensions.json'), 'utf8'),
) as unknown[];
const failures: string[] = [];
const expect = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
};

let manifest: Manifest;
try {
  manifest = JSON.parse(readFileSync(path.join(dist, 'plugin-manifest.json'), 'utf8')) as Manifest;
} catch (err) {
  console.error(
    `No readable dist/plugin/plugin-manifest.json (run npm run build:plugin): ${String(err)}`,
  );
  process.exit(1);
}

const { name, version, exposedModules } = pkg.consolePlugin;
expect(manifest.name === name, `manifest name ${manifest.name} is not ${name}`);
expect(manifest.version === version, `manifest version ${manifest.version} is not ${version}`);
expect(manifest.baseURL === `/api/plugins/${name}/`, `manifest baseURL is ${manifest.baseURL}`);
expect(
  isDeepStrictEqual(manifest.extensions, extensions),
  'manifest extensions differ from console-extensions.json',
);
expect(
  !!manifest.dependencies?.['@console/pluginAPI'],
  'manifest does not declare the @console/pluginAPI dependency',
);
expect(manifest.loadScripts.length > 0, 'manifest has no load script');

const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
const gz = (file: string) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const entryFile = manifest.loadScripts[0];
let entrySize = 0;
for (const script of manifest.loadScripts) {
  try {
    statSync(path.join(dist, script));
  } catch {
    failures.push(`load script ${script} is missing`);
  }
}
if (entryFile && files.includes(entryFile)) {
  entrySize = gz(entryFile);
  const entry = readFileSync(path.join(dist, entryFile), 'utf8');
  for (const module of Object.keys(exposedModules)) {
    expect(
      entry.includes(`exposed-${module}`),
      `exposed module ${module} has no chunk in the container`,
    );
  }
}
try {
  JSON.parse(readFileSync(path.join(dist, `locales/en/plugin__${name}.json`), 'utf8'));
} catch {
  failures.push(`locales/en/plugin__${name}.json is not shipped`);
}

const chunks = files
  .filter((f) => f !== entryFile)
  .map((f) => ({ file: f, gzip: gz(f), raw: statSync(path.join(dist, f)).size }))
  .sort((a, b) => b.gzip - a.gzip);
const largest = chunks[0];
const kib = (n: number) => `${(n / KiB).toFixed(1)} KiB`;
const totalGzip = chunks.reduce((sum, c) => sum + c.gzip, entrySize);

console.log(
  `plugin ${name}@${version}: ${manifest.extensions.length} extensions, ${files.length} scripts`,
);
console.log(
  `  entry          ${entryFile}  ${kib(entrySize)} gzipped (budget ${kib(BUDGET.entry)})`,
);
if (largest) {
  console.log(
    `  largest chunk  ${largest.file}  ${kib(largest.gzip)} gzipped (budget ${kib(BUDGET.chunk)})`,
  );
}
console.log(`  all scripts    ${kib(totalGzip)} gzipped`);
const over: string[] = [];
if (entrySize > BUDGET.entry) over.push(`entry is ${kib(entrySize)}`);
if (largest && largest.gzip > BUDGET.chunk)
  over.push(`chunk ${largest.file} is ${kib(largest.gzip)}`);
for (const o of over) console.log(`  over budget: ${o}`);

writeFileSync(
  path.join(root, 'dist/plugin-report.json'),
  `${JSON.stringify(
    {
      entry: { file: entryFile, gzip: entrySize },
      largestChunk: largest ?? null,
      totalGzip,
      budget: BUDGET,
      overBudget: over,
      chunks: chunks.length,
    },
    null,
    2,
  )}\n`,
);

if (failures.length) {
  for (const f of failures) console.error(`✖ ${f}`);
  process.exit(1);
}
console.log('plugin manifest: valid');
