// The klusterlets' HTTP client: plain JSON over HTTPS with a bearer token, sharing one
// keep-alive connection pool per hub so thousands of agents do not handshake on every heartbeat.
import https from 'node:https';
import { parse } from 'yaml';
import { isObject, text } from '../apiserver/types.js';

export interface HubCredentials {
  server: string;
  ca?: string;
  token: string;
}

export interface HubResponse {
  status: number;
  body: unknown;
}

/** Reads server, CA and token from a kubeconfig's current context (what a bootstrap Secret holds). */
/**
 * Parsed kubeconfigs by their text: thousands of agents share the same few bootstrap kubeconfigs
 * and read them on every bootstrap attempt, and parsing the YAML each time was 3% of the
 * simulator's CPU in a 3,000-cluster migration. Bounded, as agents also hold their own.
 */
const parsedKubeconfigs = new Map<string, HubCredentials | undefined>();
const PARSED_KUBECONFIGS_MAX = 10_000;

export function credentialsFromKubeconfig(kubeconfig: string): HubCredentials | undefined {
  if (parsedKubeconfigs.has(kubeconfig)) return parsedKubeconfigs.get(kubeconfig);
  const creds = parseKubeconfig(kubeconfig);
  if (parsedKubeconfigs.size >= PARSED_KUBECONFIGS_MAX) parsedKubeconfigs.clear();
  parsedKubeconfigs.set(kubeconfig, creds);
  return creds;
}

function parseKubeconfig(kubeconfig: string): HubCredentials | undefined {
  let doc: unknown;
  try {
    doc = parse(kubeconfig);
  } catch {
    return undefined;
  }
  if (!isObject(doc)) return undefined;
  const ctxName = text(doc['current-context']);
  const contexts = Array.isArray(doc.contexts) ? doc.contexts.filter(isObject) : [];
  const ctx = contexts.find((c) => c.name === ctxName) ?? contexts[0];
  const ctxBody = isObject(ctx?.context) ? ctx.context : {};
  const cluster = (Array.isArray(doc.clusters) ? doc.clusters.filter(isObject) : []).find(
    (c) => c.name === ctxBody.cluster,
  );
  const user = (Array.isArray(doc.users) ? doc.users.filter(isObject) : []).find(
    (u) => u.name === ctxBody.user,
  );
  const c = isObject(cluster?.cluster) ? cluster.cluster : {};
  const u = isObject(user?.user) ? user.user : {};
  const server = text(c.server);
  const token = text(u.token);
  if (!server || !token) return undefined;
  const caData = text(c['certificate-authority-data']);
  return { server, token, ca: caData ? Buffer.from(caData, 'base64').toString('utf8') : undefined };
}

export class HubClient {
  private readonly agents = new Map<string, https.Agent>();

  private agentFor(creds: HubCredentials): https.Agent {
    const key = `${creds.server}|${creds.ca ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: creds.ca });
      this.agents.set(key, agent);
    }
    return agent;
  }

  request(
    creds: HubCredentials,
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<HubResponse> {
    const url = new URL(path, creds.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agentFor(creds),
          timeout: 10_000,
          headers: {
            Authorization: `Bearer ${creds.token}`,
            Accept: 'application/json',
            ...(payload
              ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = raw;
            try {
              parsed = raw ? JSON.parse(raw) : undefined;
            } catch {
              // keep the raw text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
