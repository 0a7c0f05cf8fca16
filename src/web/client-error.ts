import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ERROR_CODES } from './error-codes.js';
import { PAGES } from './hook-error.js';
import { en } from './messages/en.js';

/** The parser's refusals answer as `request_invalid` does, with the code the parser gave. */
const REFUSED = ERROR_CODES.request_invalid;
const PAGE = PAGES[REFUSED.pages[0]];

/**
 * Requests Node's HTTP parser refuses before Express sees them (headers over 16 KB, bytes that
 * are not HTTP) still get a status, a small page and the strict headers, instead of Node's bare
 * answer. Nothing of the request is echoed or logged: it may hold a token.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    logger[REFUSED.level](
      { code: `client_${err.code ?? 'error'}`, statusCode: status },
      'request refused by the HTTP parser',
    );
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${en[PAGE.title]}</title></head>
<body><h1>${en[PAGE.title]}</h1><p>${en[PAGE.body]}</p><p>${en['page.backToWallet']}</p></body></html>`;
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        'Content-Type: text/html; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Cache-Control: no-store',
        "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        'Referrer-Policy: no-referrer',
        'X-Content-Type-Options: nosniff',
        'X-Frame-Options: DENY',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}
