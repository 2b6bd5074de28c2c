// A hub that accepts a request and never answers: the pooled connections give up after their
// silence limit, the hub client reports a retriable connection error, and the next calls work on
// fresh connections (a pooled connection idle past the limit is replaced, not reused broken).
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createServingTls } from '../../../sim/tls.js';
import { HubClient, HubError } from './hub-client.js';
import { PooledKubeConfig } from './kubeconfig.js';
import { R } from './resources.js';

let server: https.Server;
let kubeconfig: string;
let answered = 0;

before(async () => {
  const tls = await createServingTls('silent-hub');
  server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    if (req.url?.endsWith('/silent')) return; // accepted, never answered
    answered++;
    const name = req.url?.split('/').pop() ?? '';
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'cluster.open-cluster-management.io/v1',
        kind: 'ManagedCluster',
        metadata: { name },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: silent
  cluster:
    server: https://127.0.0.1:${port}
    certificate-authority-data: ${Buffer.from(tls.caPem).toString('base64')}
users:
- name: u
  user:
    token: t
contexts:
- name: c
  context: { cluster: silent, user: u }
current-context: c
`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

// Bounded: without the silence limit the call would hang for good.
test(
  'a hub that never answers fails the call with a retriable error after the silence limit',
  { timeout: 15_000 },
  async () => {
    const kc = new PooledKubeConfig(4, 300);
    kc.loadFromString(kubeconfig);
    const hub = new HubClient('silent', kc, { attempts: 2, backoffMs: 10 });
    try {
      assert.equal((await hub.get(R.managedCluster, 'first'))?.metadata.name, 'first');
      const t0 = Date.now();
      await assert.rejects(
        hub.get(R.managedCluster, 'silent'),
        (e: unknown) =>
          e instanceof HubError &&
          e.retriable &&
          e.message.includes('no answer for 0.3 s') &&
          e.message.includes('silent'),
      );
      const took = Date.now() - t0;
      // Two attempts of 0.3 s each and a short backoff, not the connection's lifetime.
      assert.ok(took >= 550 && took < 3000, `gave up after ${took} ms`);
      assert.equal(hub.callStats().retries, 1, 'the first timeout was retried once');
      // Idle past the limit: the pool replaces the connection rather than reusing a dead one.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await hub.get(R.managedCluster, 'after'))?.metadata.name, 'after');
      assert.equal(answered, 2);
    } finally {
      kc.close();
    }
  },
);
