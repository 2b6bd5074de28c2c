// `npm run bench -- <name>`: runs one benchmark and prints its report (never part of the tests).
// npm runs it with the BFF's production heap limit (--max-old-space-size=256, the chart's
// maxHeapMiB), as the engine and the BFF run in this process and their memory is reported.
import { benchApiserver } from './apiserver.js';
import { benchEngine } from './engine.js';
import { benchSimScale } from './sim-scale.js';
import { benchStream } from './stream.js';
import { benchUi } from './ui.js';

const benchmarks: Record<string, (args: string[]) => Promise<void>> = {
  apiserver: benchApiserver,
  'sim-scale': benchSimScale,
  engine: benchEngine,
  stream: benchStream,
  ui: benchUi,
};

// `npm run bench -- --clusters <N> [--rollback]` (options first) is the engine benchmark.
const first = process.argv[2];
const name = first?.startsWith('--') ? 'engine' : first;
const args = first?.startsWith('--') ? process.argv.slice(2) : process.argv.slice(3);
const run = name ? benchmarks[name] : undefined;
if (!run) {
  console.error(
    `usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [options]   (or: npm run bench -- --clusters <N> [--rollback])`,
  );
  process.exit(2);
}
await run(args);
