import type { Server, ServerResponse } from 'node:http';

export interface GracefulClose {
  /**
   * Stops accepting connections and lets requests in flight finish, closing each connection as
   * its response ends (keep-alive would otherwise hold it open). After `timeoutMs` the remaining
   * connections are cut. Resolves with how many requests were still in flight then.
   */
  close(timeoutMs: number): Promise<{ cutOff: number }>;
}

/** Tracks `server`'s requests from now on, so that it can later be closed gracefully. */
export function gracefulClose(server: Server): GracefulClose {
  const inFlight = new Set<ServerResponse>();
  let closing = false;

  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    // A request that came in on a kept-alive connection after closing began.
    if (closing) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      if (closing) server.closeIdleConnections();
    });
  });

  let closed: Promise<{ cutOff: number }> | undefined;
  return {
    close(timeoutMs) {
      closed ??= new Promise((resolve) => {
        closing = true;
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        const deadline = setTimeout(() => {
          const cutOff = inFlight.size;
          server.closeAllConnections();
          resolve({ cutOff });
        }, timeoutMs);
        deadline.unref();
        // Since Node 19, close() also ends idle keep-alive connections at once.
        server.close(() => {
          clearTimeout(deadline);
          resolve({ cutOff: 0 });
        });
      });
      return closed;
    },
  };
}
