import express, { type Router } from 'express';

/** Where the simulator's pages take their one stylesheet from: no inline styles, so its CSP needs no 'unsafe-inline'. */
export const STYLESHEET_PATH = '/simulator.css';

const STYLESHEET = `body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem}textarea{width:100%;font:0.9rem monospace}
button{font:inherit;padding:.6rem 1.2rem}pre{background:#f3f3f3;padding:.75rem;overflow:auto}
.message{margin:0;background:#f3f3f3;padding:.75rem;overflow-wrap:anywhere}label,select{display:block;margin:.5rem 0}.bad{color:#b3261e}
.code{font-size:2rem;letter-spacing:.2em}.claims{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;overflow-wrap:anywhere}.claims dt{font-weight:600}.claims dd{margin:0}
article{border-top:1px solid #ccc}article pre{white-space:pre-wrap;background:none;padding:0}
`;

/** Serves the stylesheet the simulator's pages link. */
export function simulatorStylesheet(): Router {
  const router = express.Router();
  router.get(STYLESHEET_PATH, (_req, res) => {
    res.type('css').send(STYLESHEET);
  });
  return router;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A page of the simulator: English only, like a developer tool, and plain HTML that needs no script. */
export function simulatorPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · tenant simulator</title><link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body><p><small>MATTR VII tenant simulator · local only</small></p>${body}</body></html>`;
}
