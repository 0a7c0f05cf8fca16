import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/**
 * A TCP relay on an ephemeral port to a real server, that a test can cut (the server becomes
 * unreachable, open connections drop), freeze (connections stay open but nothing answers), and
 * restore on the same port — outages without stopping a server that other test runs share.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly pairs = new Set<Pair>();
  private frozen = false;
  port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen();
    return proxy;
  }

  /** The URL with its host and port replaced by the proxy's. */
  url(serverUrl: string): string {
    const u = new URL(serverUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keeps every connection open, and accepts new ones, but passes nothing on: a server that hangs. */
  freeze(): void {
    if (!this.frozen) for (const pair of this.pairs) unlink(pair);
    this.frozen = true;
  }

  /** Undoes cut() or freeze(): accepts and passes on again, on the same port. */
  async restore(): Promise<void> {
    if (this.frozen) for (const pair of this.pairs) link(pair);
    this.frozen = false;
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => {
      const pair = { client, upstream: net.connect(this.target) };
      this.pairs.add(pair);
      for (const socket of [pair.client, pair.upstream]) {
        socket.on('error', () => {
          pair.client.destroy();
          pair.upstream.destroy();
        });
        socket.on('close', () => this.pairs.delete(pair));
      }
      if (this.frozen) unlink(pair);
      else link(pair);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }
}

function link({ client, upstream }: Pair): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

function unlink({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
