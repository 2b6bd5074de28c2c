// The simulator's control endpoint (loopback HTTP, for tests and operators, never for the
// product): read the ground truth and inject faults into a simulator running in another process.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isObject } from './apiserver/types.js';
import type { Fleet } from './fleet.js';

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

export async function startControlServer(fleet: Fleet, port = 0): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    void (async () => {
      const parts = (req.url ?? '/')
        .split('?')[0]
        .split('/')
        .filter(Boolean)
        .map(decodeURIComponent);
      try {
        if (req.method === 'GET' && parts[0] === 'ground-truth') {
          if (parts[1]) return send(200, fleet.truth.cluster(parts[1]));
          return send(200, { clusters: fleet.truth.all(), destructions: fleet.truth.destructions });
        }
        if (req.method === 'GET' && parts[0] === 'requests') {
          return send(
            200,
            Object.fromEntries(
              [...fleet.hubs.values()].map((h) => [h.name, h.server.requestCounts()]),
            ),
          );
        }
        if (req.method === 'POST' && parts[0] === 'hubs' && parts[1]) {
          const hub = fleet.hub(parts[1]);
          const body = await readJson(req);
          if (parts[2] === 'faults') {
            hub.server.setFaults(isObject(body) ? body : {});
            return send(200, { ok: true });
          }
          if (parts[2] === 'outage') {
            const ms =
              isObject(body) && typeof body.durationMs === 'number' ? body.durationMs : 10_000;
            await hub.server.startOutage();
            setTimeout(() => void hub.server.endOutage(), ms).unref();
            return send(200, { ok: true, until: new Date(Date.now() + ms).toISOString() });
          }
        }
        if (req.method === 'POST' && parts[0] === 'clusters' && parts[1]) {
          const k = fleet.klusterlet(parts[1]);
          if (parts[2] === 'restart') {
            k.restart();
            return send(200, { ok: true });
          }
          if (parts[2] === 'faults') {
            const body = await readJson(req);
            k.faults = isObject(body) ? body : {};
            return send(200, { ok: true });
          }
        }
        send(404, { error: `no such control action: ${req.method} ${req.url}` });
      } catch (e) {
        send(400, { error: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
