// `npm run sim -- --scenario <file> [--state-dir <dir>]`: start a scenario's hubs and print one
// JSON line with "ready": true and each hub's URL and kubeconfig once they all serve.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startControlServer } from './control.js';
import { Fleet } from './fleet.js';

const usage = 'usage: npm run sim -- --scenario <file.yaml> [--state-dir <dir>]';

async function main(): Promise<void> {
  let values: { scenario?: string; 'state-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: 'string' },
        'state-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  if (!values.scenario) {
    console.error(`--scenario is required\n${usage}`);
    process.exit(2);
  }
  let fleet: Fleet;
  try {
    fleet = await Fleet.start(values.scenario, { stateDir: values['state-dir'] ?? '.sim' });
  } catch (e) {
    console.error(
      JSON.stringify({ ready: false, error: e instanceof Error ? e.message : String(e) }),
    );
    process.exit(1);
  }
  const stateDir = values['state-dir'] ?? '.sim';
  const control = await startControlServer(fleet);
  writeFileSync(
    path.join(stateDir, 'control.json'),
    JSON.stringify({ url: control.url, pid: process.pid }) + '\n',
  );
  console.log(JSON.stringify({ ...fleet.readyInfo(), control: control.url }));
  const stop = (signal: string) => {
    console.error(JSON.stringify({ level: 'info', msg: 'simulator stopping', signal }));
    void Promise.all([fleet.stop(), control.close()]).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
