// `npm run chart:template -- [-f values.yaml]… [--namespace NS] [--release NAME] [--notes]`:
// prints the chart's manifests as `helm template` would, rendered by tools/helm/template.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import type { Values } from './chart.js';
import { coalesce, loadChart, renderChart } from './chart.js';

const { values: args } = parseArgs({
  options: {
    values: { type: 'string', short: 'f', multiple: true },
    namespace: { type: 'string', short: 'n' },
    release: { type: 'string' },
    chart: { type: 'string' },
    notes: { type: 'boolean' },
  },
});

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const chart = loadChart(args.chart ?? path.join(root, 'charts/hub-migration'));
let overrides: Values = {};
for (const file of args.values ?? [])
  overrides = coalesce(
    overrides,
    (YAML.parse(readFileSync(file, 'utf8'), { version: '1.1' }) ?? {}) as Values,
  );
try {
  const out = renderChart(chart, {
    values: overrides,
    namespace: args.namespace,
    releaseName: args.release,
  });
  for (const [file, text] of out.files) {
    if (!text.trim()) continue;
    process.stdout.write(`---\n# Source: ${String(chart.metadata.name)}/${file}\n`);
    process.stdout.write(`${text.replace(/^\s*---\s*\n/, '').trimEnd()}\n`);
  }
  if (args.notes && out.notes) process.stdout.write(`\nNOTES:\n${out.notes}\n`);
} catch (e) {
  console.error(`Error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
