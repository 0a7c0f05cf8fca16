import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { listenOn } from '../ops/listen.js';
import { parseMail, type MailMessage } from './mail-message.js';
import { escapeHtml, simulatorStylesheet, STYLESHEET_PATH } from './simulator-page.js';

/** One message the mailbox accepted. */
export interface ReceivedMail extends MailMessage {
  from: string;
  to: string[];
  receivedAt: Date;
}

/**
 * How the mailbox misbehaves, for tests of a mail server that says no: `recipient` refuses every
 * RCPT TO (550), `message` refuses the DATA (554), `busy` answers the DATA with a temporary 451.
 */
export type MailboxRefusal = 'recipient' | 'message' | 'busy' | null;

export interface Mailbox {
  /** What the hook's SMTP_URL is set to: plain SMTP on 127.0.0.1, no sign-in, no STARTTLS. */
  readonly smtpUrl: string;
  readonly port: number;
  /** Oldest first. */
  readonly messages: readonly ReceivedMail[];
  refuse: MailboxRefusal;
  /** The page listing the messages (served by `listenPage`, or mounted by a test). */
  readonly page: Express;
  /** Serves `page` on 127.0.0.1; resolves with its URL. */
  listenPage(port?: number): Promise<string>;
  close(): Promise<void>;
}

/** Larger than any code mail; a message beyond it is refused. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * A real SMTP server in this process, on 127.0.0.1, that keeps what it is sent: the demo's
 * mailbox and the tests' mail server. Port 0 takes a free one.
 */
export async function startMailbox(options: { port?: number } = {}): Promise<Mailbox> {
  const messages: ReceivedMail[] = [];
  let refuse: MailboxRefusal = null;
  const refusal = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const serverOptions: SMTPServerOptions = {
    // Local only, so neither sign-in nor TLS: nothing here leaves the machine.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // No reverse DNS look-up of the client: the mailbox only ever hears from this machine.
    disableReverseLookup: true,
    onRcptTo(_address, _session, callback) {
      callback(refuse === 'recipient' ? refusal(550, 'No such mailbox here') : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refuse === 'message' || refuse === 'busy') {
          callback(refuse === 'message' ? refusal(554, 'Message refused') : refusal(451, 'Try again later'));
          return;
        }
        const envelope = session.envelope;
        messages.push({
          ...parseMail(Buffer.concat(chunks).toString('utf8')),
          from: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
          to: envelope.rcptTo.map((r) => r.address),
          receivedAt: new Date(),
        });
        callback(null);
      });
    },
  };
  const smtp = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (smtp.server.address() as AddressInfo).port;
  const page = mailboxPage(messages);
  let pageServer: Server | undefined;

  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get refuse() {
      return refuse;
    },
    set refuse(value) {
      refuse = value;
    },
    page,
    async listenPage(pagePort = 0) {
      const { server, port } = await listenOn(page, pagePort, '127.0.0.1');
      pageServer = server;
      return `http://127.0.0.1:${port}/`;
    },
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      const server = pageServer;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function mailboxPage(messages: readonly ReceivedMail[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(simulatorStylesheet());
  app.get('/', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'self'");
    res.set('Cache-Control', 'no-store');
    const items = [...messages]
      .reverse()
      .map(
        (m) => `<article><h2>${escapeHtml(m.subject)}</h2>
<p>To <code>${escapeHtml(m.to.join(', '))}</code> from <code>${escapeHtml(m.from)}</code> at ${escapeHtml(m.receivedAt.toISOString())} · parts: ${escapeHtml(m.parts.join(', '))}</p>
<pre>${escapeHtml(m.text)}</pre></article>`,
      )
      .join('\n');
    res.type('html')
      .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mailbox (${messages.length})</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body><h1>Local mailbox</h1><p>Every message the hook sent to this simulated mail server, newest first. Reload to see new ones.</p>
${items || '<p>No messages yet.</p>'}</body></html>`);
  });
  return app;
}
