// `npm run bench -- <name>`: runs one benchmark and prints its report (never part of the tests).
import { benchApiserver } from './apiserver.js';
import { benchEngine } from './engine.js';
import { benchSimScale } from './sim-scale.js';

const benchmarks: Record<string, (args: string[]) => Promise<void>> = {
  apiserver: benchApiserver,
  'sim-scale': benchSimScale,
  engine: benchEngine,
};

const name = process.argv[2];
const run = name ? benchmarks[name] : undefined;
if (!run) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}>`);
  process.exit(2);
}
await run(process.argv.slice(3));
