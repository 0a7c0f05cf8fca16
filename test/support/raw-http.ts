import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** Sent as written: no encoding, no normalisation. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** The app on a real port, spoken to byte for byte (supertest and fetch would tidy the input). */
export async function serveRaw(
  app: Express,
): Promise<{ send(request: RawRequest): Promise<RawResponse>; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        // Node sends a GET's body with neither length nor chunking, which the server would read as
        // the start of the next request; the length keeps the request well-formed.
        const headers =
          request.body === undefined
            ? request.headers
            : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
        const req = http.request(
          { host: '127.0.0.1', port, agent, method: request.method ?? 'GET', path: request.path, headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(request.body);
      }),
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
