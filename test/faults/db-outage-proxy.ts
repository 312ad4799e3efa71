// A TCP proxy a test can cut and restore: while cut, new connections are refused (nothing
// listens on the port) and every open connection is dropped; restored, it listens again on the
// same port and forwards to the target.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  connections = 0;

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  /** Starts listening on 127.0.0.1 (on a free port the first time); resolves when it listens. */
  async start(): Promise<number> {
    const server = createServer((client) => {
      this.connections++;
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => { client.destroy(); upstream.destroy(); this.sockets.delete(client); this.sockets.delete(upstream); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /** Refuses new connections and drops every open one (the database "goes away"). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port (the database "comes back"). */
  async restore(): Promise<void> {
    if (!this.server) await this.start();
  }

  get isCut(): boolean {
    return this.server === null;
  }
}
