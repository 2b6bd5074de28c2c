// `npm run sim:truth -- [--state-dir .sim] [--cluster <name>]`: prints the running simulator's
// ground truth: for each cluster the hub it is registered to, how long it was unmanaged, and
// whether it or its host was ever destroyed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ClusterTruth, DestructionRecord } from './ground-truth.js';

const { values } = parseArgs({
  options: {
    'state-dir': { type: 'string' },
    cluster: { type: 'string' },
    json: { type: 'boolean' },
  },
});
const stateDir = values['state-dir'] ?? '.sim';
let control: string;
try {
  control = (
    JSON.parse(readFileSync(path.join(stateDir, 'control.json'), 'utf8')) as { url: string }
  ).url;
} catch {
  console.error(
    `no running simulator found in ${stateDir} (start one with: npm run sim -- --scenario <file>)`,
  );
  process.exit(1);
}
const res = await fetch(
  `${control}/ground-truth${values.cluster ? `/${encodeURIComponent(values.cluster)}` : ''}`,
).catch(() => undefined);
if (!res?.ok) {
  console.error(`the simulator at ${control} did not answer`);
  process.exit(1);
}
const body = (await res.json()) as
  ClusterTruth | { clusters: ClusterTruth[]; destructions: DestructionRecord[] };
if (values.json) {
  console.log(JSON.stringify(body, null, 2));
} else {
  const clusters = 'clusters' in body ? body.clusters : [body];
  console.log(
    `${'CLUSTER'.padEnd(28)} ${'REGISTERED TO'.padEnd(16)} ${'UNMANAGED'.padStart(10)}  DESTROYED  HOST WIPED`,
  );
  for (const c of clusters) {
    console.log(
      `${c.name.padEnd(28)} ${(c.registeredTo ?? '-').padEnd(16)} ${`${(c.unmanagedMs / 1000).toFixed(1)}s`.padStart(10)}  ${(c.destroyed ? 'yes' : 'no').padEnd(9)}  ${c.hostWiped ? 'yes' : 'no'}`,
    );
  }
  if ('destructions' in body && body.destructions.length)
    console.log(`\n${body.destructions.length} destruction(s) recorded:`, body.destructions);
}
