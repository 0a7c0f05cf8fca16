import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An issuer's status list endpoint on this machine: serves the tokens put into it. */
export interface StatusListServer {
  url(path: string): string;
  put(path: string, token: string): void;
  close(): Promise<void>;
}

export async function startStatusListServer(): Promise<StatusListServer> {
  const lists = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const token = lists.get(req.url ?? '');
    if (token === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/statuslist+jwt' }).end(token);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    put: (path, token) => void lists.set(path, token),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
