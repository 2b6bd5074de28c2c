// A client-node KubeConfig that keeps its HTTPS connections alive. client-node 1.4 builds a new
// agent for every request, so each call pays a TLS handshake; at thousands of calls per
// migration that dominates. The first agent's options (CA, client cert, SNI) are kept and reused.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

export class PooledKubeConfig extends KubeConfig {
  private pooled?: https.Agent;

  constructor(private readonly maxSockets = 32) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof https.Agent)) return;
    this.pooled ??= new https.Agent({
      ...fresh.options,
      keepAlive: true,
      maxSockets: this.maxSockets,
    });
    fresh.destroy();
    context.setAgent(this.pooled);
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
