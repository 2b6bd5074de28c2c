// The elector's own lifecycle, without a hub: a stop() that lands while an attempt is in flight
// must still end the loop (it once went on retrying forever against a hub that was gone, and kept
// a test process alive).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HubClient } from '../hubs/hub-client.js';
import { createLogger } from '../log.js';
import { LeaderElector } from './leader.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('stop() during an attempt in flight ends the election loop', async () => {
  let gets = 0;
  // Only get() is reached: the hub "fails" every attempt after a delay, as an unreachable one does.
  const hub = {
    name: 'gone',
    get: async () => {
      gets++;
      await sleep(100);
      throw new Error('connect ECONNREFUSED');
    },
  } as unknown as HubClient; // a stand-in for the one method this path calls
  const elector = new LeaderElector(
    hub,
    { namespace: 'ns', retryMs: 20 },
    createLogger({ test: 'leader' }, 'error'),
    () => undefined,
  );
  elector.start();
  await sleep(30); // the first attempt is in flight
  assert.equal(gets, 1);
  await elector.stop();
  await sleep(300); // long enough for several retries, were the loop still running
  assert.equal(gets, 1, 'no attempt after stop()');
});
