import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/**
 * `app` listening on `port` (0: a free one) and `host`, with the port it got. Express 5 hands a
 * listen error (a port in use) to the callback instead of throwing, so the error is checked here:
 * without that, a busy port looks like a started server with no address.
 */
export function listenOn(app: Express, port: number, host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`));
      else resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}
