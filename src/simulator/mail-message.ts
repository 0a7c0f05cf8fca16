/**
 * Just enough MIME to read what the hook sends (RFC 5322 headers, multipart, quoted-printable,
 * base64, encoded words), for the simulator's mailbox and the tests. Not a general mail parser.
 */
export interface MailMessage {
  headers: Readonly<Record<string, string>>;
  subject: string;
  /** The text/plain part, decoded; empty when there is none. */
  text: string;
  /** The text/html part, decoded; empty when there is none. */
  html: string;
  /** The content types of the leaf parts, in order, e.g. ["text/plain", "text/html"]. */
  parts: string[];
}

interface Entity {
  headers: Record<string, string>;
  body: string;
}

export function parseMail(raw: string): MailMessage {
  const top = entity(raw);
  const leaves = leafParts(top);
  const bodyOf = (type: string) => {
    const leaf = leaves.find((l) => mediaType(l.headers) === type);
    return leaf ? decodeBody(leaf) : '';
  };
  return {
    headers: top.headers,
    subject: decodeWords(top.headers.subject ?? ''),
    text: bodyOf('text/plain'),
    html: bodyOf('text/html'),
    parts: leaves.map((l) => mediaType(l.headers)),
  };
}

function entity(raw: string): Entity {
  const normalised = raw.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? '' : normalised.slice(end + 2);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function leafParts(part: Entity): Entity[] {
  const type = mediaType(part.headers);
  if (!type.startsWith('multipart/')) return [part];
  const boundary = parameter(part.headers['content-type'] ?? '', 'boundary');
  if (!boundary) return [];
  const sections = part.body.split(`--${boundary}`);
  // Before the first boundary is the preamble; from the closing "--" on, the epilogue.
  return sections
    .slice(1)
    .filter((s) => !s.startsWith('--'))
    .flatMap((s) => leafParts(entity(s.replace(/^\n/, '').replace(/\n$/, ''))));
}

function mediaType(headers: Readonly<Record<string, string>>): string {
  return (headers['content-type'] ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parameter(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}=(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  return match ? (match[1] ?? match[2]) : undefined;
}

function decodeBody(part: Entity): string {
  const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const charset = (parameter(part.headers['content-type'] ?? '', 'charset') ?? 'utf-8').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? quotedPrintable(part.body)
        : Buffer.from(part.body, 'utf8');
  return new TextDecoder(charset).decode(bytes);
}

function quotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined.charAt(i), 'utf8'));
  }
  return Buffer.from(bytes);
}

/** `=?UTF-8?Q?Votre_code?=` and `=?UTF-8?B?…?=` words, with the space between two of them dropped. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_whole, charset: string, kind: string, data: string) => {
      const bytes = kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : quotedPrintable(data.replace(/_/g, ' '));
      return new TextDecoder(charset.toLowerCase()).decode(bytes);
    });
}
