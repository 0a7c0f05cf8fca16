/**
 * A browser for real HTTP servers: one cookie jar, any number of origins (replicas behind a load
 * balancer share the cookie because they share the public host name). Redirects are not followed,
 * so a test sees every Location.
 */
export interface Reply {
  status: number;
  location: string | undefined;
  text: string;
}

export class HttpBrowser {
  private readonly cookies = new Map<string, string>();

  /** `headers` go with every request, e.g. the X-Forwarded-Proto a TLS proxy would add. */
  constructor(private readonly headers: Record<string, string> = {}) {}

  get(base: string, path: string): Promise<Reply> {
    return this.send(base, path, { method: 'GET' });
  }

  post(base: string, path: string, form: Record<string, string>): Promise<Reply> {
    return this.send(base, path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  private async send(base: string, path: string, init: RequestInit): Promise<Reply> {
    const headers = new Headers({ ...this.headers, ...(init.headers as Record<string, string> | undefined) });
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const res = await fetch(new URL(path, base), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
    return { status: res.status, location: res.headers.get('location') ?? undefined, text: await res.text() };
  }
}
