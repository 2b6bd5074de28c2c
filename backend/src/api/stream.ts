// Server-sent events: every client gets a snapshot, then the changes in order, filtered by what
// its own token may see (deletions included). Events are numbered `<epoch>-<n>`; a client that
// reconnects with Last-Event-ID gets what it missed from a bounded log, or a new snapshot when the
// gap is too old or from another process. A client that cannot keep up is disconnected rather than
// buffered without bound; its EventSource reconnects and resumes.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from '../log.js';
import type { Authorizer, Caller } from './auth.js';
import type { ClusterChanges, MigrationChange, StreamSnapshot } from './contract.js';
import type { MigrationState, StateChange } from './state.js';

interface LoggedEvent {
  seq: number;
  change: StateChange;
}

export interface StreamOptions {
  /** Events kept for replay after a reconnect. */
  logSize?: number;
  keepAliveMs?: number;
  /** Bytes a client may have unsent before it is disconnected. */
  maxBufferedBytes?: number;
  /** How long a client may stay unable to take more data before it is disconnected. */
  stallMs?: number;
}

interface Client {
  caller: Caller;
  res: Response;
  /** `<ns>/<name>` whose cluster rows this client also wants. */
  migration?: string;
  queue: LoggedEvent[];
  pumping: boolean;
  closed: boolean;
  /** Since when the socket has refused more data (write returned false), until it drains. */
  blockedSince?: number;
}

export class StreamBroker {
  private readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly log: LoggedEvent[] = [];
  private readonly clients = new Set<Client>();
  private readonly publishListeners = new Set<(id: string) => void>();
  private readonly keepAlive: NodeJS.Timeout;
  private readonly o: Required<StreamOptions>;
  private delivered = 0;
  private dropped = 0;

  constructor(
    private readonly state: MigrationState,
    private readonly auth: Authorizer,
    private readonly logger: Logger,
    opts: StreamOptions = {},
  ) {
    this.o = {
      logSize: opts.logSize ?? 20_000,
      keepAliveMs: opts.keepAliveMs ?? 15_000,
      maxBufferedBytes: opts.maxBufferedBytes ?? 4 * 1024 * 1024,
      stallMs: opts.stallMs ?? 30_000,
    };
    state.onChange((change) => this.publish(change));
    this.keepAlive = setInterval(() => {
      for (const c of this.clients) this.write(c, ': keep-alive\n\n');
    }, this.o.keepAliveMs);
    this.keepAlive.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  stats(): { clients: number; delivered: number; dropped: number } {
    return { clients: this.clients.size, delivered: this.delivered, dropped: this.dropped };
  }

  private id(seq: number): string {
    return `${this.epoch}-${seq}`;
  }

  private publish(change: StateChange): void {
    const e = { seq: ++this.seq, change };
    this.log.push(e);
    if (this.log.length > this.o.logSize) this.log.splice(0, this.log.length - this.o.logSize);
    for (const c of this.clients) this.enqueue(c, [e]);
    for (const l of this.publishListeners) l(this.id(e.seq));
  }

  /** Called with each event's id as it is published (the stream benchmark times delivery). */
  onPublish(listener: (id: string) => void): () => void {
    this.publishListeners.add(listener);
    return () => this.publishListeners.delete(listener);
  }

  /** Serves GET /api/v1/stream for an authenticated caller. */
  async serve(req: Request, res: Response, caller: Caller, migration?: string): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // Proxies (and the console's) must not buffer the stream.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    const client: Client = { caller, res, migration, queue: [], pumping: false, closed: false };
    const close = () => {
      client.closed = true;
      this.clients.delete(client);
    };
    req.on('close', close);
    res.on('error', close);
    res.on('drain', () => (client.blockedSince = undefined));
    this.write(client, 'retry: 3000\n\n');

    const last =
      req.get('last-event-id') ??
      (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    const resumeFrom = this.resumePoint(last);
    // Register before the snapshot so nothing published meanwhile is lost; the queue waits.
    client.pumping = true;
    this.clients.add(client);
    try {
      if (resumeFrom === undefined) {
        const upTo = await this.sendSnapshot(client);
        client.queue = client.queue.filter((e) => e.seq > upTo);
      } else {
        client.queue = this.log.filter((e) => e.seq > resumeFrom);
      }
    } catch (e) {
      this.logger.warn('stream snapshot failed', { error: e });
      close();
      res.end();
      return;
    }
    client.pumping = false;
    void this.pump(client);
  }

  /** The sequence number to replay after, or undefined when a snapshot is needed. */
  private resumePoint(last: string | undefined): number | undefined {
    if (!last) return undefined;
    const m = /^([0-9a-f]+)-(\d+)$/.exec(last);
    if (!m || m[1] !== this.epoch) return undefined;
    const seq = Number(m[2]);
    if (seq > this.seq) return undefined;
    const oldest = this.log[0]?.seq ?? this.seq + 1;
    // Everything after `seq` must still be in the log.
    if (seq + 1 < oldest) return undefined;
    return seq;
  }

  /** Writes a snapshot of what the caller may see; returns the last event it includes. */
  private async sendSnapshot(client: Client): Promise<number> {
    const allowed = await this.allowedNamespaces(client.caller);
    // From here to the write nothing awaits: the snapshot is exactly the state after `upTo`.
    const upTo = this.seq;
    const migrations = this.state.namespaces
      .filter((ns) => allowed.has(ns))
      .flatMap((ns) => this.state.migrations(ns))
      .map((m) => this.state.summarize(m));
    const snapshot: StreamSnapshot = { migrations };
    if (client.migration) {
      const [ns, name] = client.migration.split('/');
      if (allowed.has(ns)) snapshot.clusters = this.state.rows(ns, name);
    }
    this.write(
      client,
      `id: ${this.id(upTo)}\nevent: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`,
    );
    return upTo;
  }

  private async allowedNamespaces(caller: Caller): Promise<Set<string>> {
    return new Set(await this.auth.migrationNamespaces(caller, this.state.namespaces));
  }

  private canSee(caller: Caller, namespace: string): Promise<boolean> {
    return this.auth.canListMigrations(caller, namespace).catch(() => false);
  }

  private enqueue(c: Client, events: LoggedEvent[]): void {
    if (c.closed) return;
    c.queue.push(...events);
    if (c.queue.length > this.o.logSize) {
      // Far behind: the client reloads with a fresh snapshot when it reconnects.
      this.disconnect(c, 'too far behind');
      return;
    }
    if (!c.pumping) void this.pump(c);
  }

  /** Sends queued events in order, each only if the caller may see it. */
  private async pump(c: Client): Promise<void> {
    if (c.pumping) return;
    c.pumping = true;
    try {
      while (!c.closed && c.queue.length > 0) {
        const e = c.queue.shift()!;
        const text = await this.render(c, e);
        if (text) this.write(c, text);
      }
    } finally {
      c.pumping = false;
    }
  }

  private async render(c: Client, e: LoggedEvent): Promise<string | undefined> {
    const ch = e.change;
    if (ch.kind === 'clusters') {
      if (c.migration !== `${ch.namespace}/${ch.migration}`) return undefined;
      if (!(await this.canSee(c.caller, ch.namespace))) return undefined;
      const data: ClusterChanges = { migration: `${ch.namespace}/${ch.migration}`, rows: ch.rows };
      return `id: ${this.id(e.seq)}\nevent: clusters\ndata: ${JSON.stringify(data)}\n\n`;
    }
    if (!(await this.canSee(c.caller, ch.namespace))) return undefined;
    const data: MigrationChange = { type: ch.type, migration: ch.summary };
    return `id: ${this.id(e.seq)}\nevent: migration\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private write(c: Client, text: string): void {
    if (c.closed) return;
    // A client that stopped reading is dropped, not buffered for: it reconnects with
    // Last-Event-ID and catches up from the log (or a snapshot).
    const stalled = c.blockedSince !== undefined && Date.now() - c.blockedSince > this.o.stallMs;
    if (stalled || c.res.writableLength > this.o.maxBufferedBytes) {
      this.disconnect(c, stalled ? 'stopped reading' : 'too much unsent data');
      return;
    }
    if (!c.res.write(text)) c.blockedSince ??= Date.now();
    this.delivered++;
  }

  private disconnect(c: Client, why: string): void {
    if (c.closed) return;
    this.dropped++;
    this.logger.info('stream client disconnected', { reason: why });
    c.closed = true;
    this.clients.delete(c);
    // Destroy, not end: an orderly end would wait behind the data the client is not reading.
    c.res.destroy();
  }

  /** Ends every stream cleanly (graceful shutdown): clients reconnect to another replica. */
  close(): void {
    clearInterval(this.keepAlive);
    for (const c of [...this.clients]) {
      c.closed = true;
      this.clients.delete(c);
      c.res.end();
    }
  }
}
