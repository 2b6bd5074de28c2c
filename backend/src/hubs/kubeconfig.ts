// A client-node KubeConfig that keeps its HTTPS connections alive. client-node 1.4 builds a new
// agent for every request, so each call pays a TLS handshake; at thousands of calls per
// migration that dominates. The first agent's options (CA, client cert, SNI) are kept and reused.
//
// Its connections also give up on a hub that goes silent: client-node sets no request timeout,
// so a hub that accepted a connection and never answered held the engine's call (and the phase)
// for as long as the connection lived. A connection with nothing received or sent for
// `silenceMs` is closed, which fails its request as a connection error the hub client retries.
// Watches do not use these connections (they are idle for minutes by design).
import https from 'node:https';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

export class PooledKubeConfig extends KubeConfig {
  private pooled?: https.Agent;

  constructor(
    private readonly maxSockets = 32,
    private readonly silenceMs = 30_000,
  ) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof https.Agent)) return;
    this.pooled ??= this.poolLike(fresh);
    fresh.destroy();
    context.setAgent(this.pooled);
  }

  private poolLike(fresh: https.Agent): https.Agent {
    // With `timeout`, Node arms each socket's idle timer whether it serves a request or waits in
    // the pool, and closes pooled ones itself; one serving a request only gets a 'timeout' event,
    // so that one is closed here.
    const agent = new https.Agent({
      ...fresh.options,
      keepAlive: true,
      maxSockets: this.maxSockets,
      timeout: this.silenceMs,
    });
    const connect = agent.createConnection.bind(agent);
    const seconds = this.silenceMs / 1000;
    agent.createConnection = (options, callback) => {
      const socket = connect(options, callback) as Socket;
      socket.on('timeout', () =>
        socket.destroy(new Error(`no answer for ${seconds} s; connection closed`)),
      );
      return socket;
    };
    return agent;
  }

  close(): void {
    this.pooled?.destroy();
    this.pooled = undefined;
  }

  static fromString(yaml: string): PooledKubeConfig {
    const kc = new PooledKubeConfig();
    kc.loadFromString(yaml);
    return kc;
  }
}
