/**
 * The onboarding page's local server: the static files of web/ and `/config.json` (the page's
 * local settings: API base and the demo tenant's token), everything else handed to the API.
 * One origin for page and API, so the page needs no CORS locally. Development only.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const WEB_ROOT = join(import.meta.dirname, '..', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The page's files, by URL path: a fixed list, so no request path ever reaches the file system. */
const FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface WebServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The API behind another local server (serverless-offline), request and answer streamed through. */
export function proxyTo(origin: string): ApiHandler {
  const target = new URL(origin);
  return (req, res) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        timeout: 60_000,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('the API did not answer within 60 s')));
    upstream.on('error', (err) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadGateway', message: `local API: ${err.message}` } }));
    });
    req.pipe(upstream);
  };
}

/**
 * Listens on `port` (0: any free one) of `host`. Rejects with the listen error (EADDRINUSE on
 * a busy port) before anything else has started.
 */
export async function startWebServer(opts: {
  port: number;
  host?: string;
  config: Record<string, unknown>;
  api: ApiHandler;
}): Promise<WebServer> {
  const files = new Map(
    Object.entries(FILES).map(([path, name]) => {
      const ext = name.slice(name.lastIndexOf('.'));
      return [path, { body: readFileSync(join(WEB_ROOT, name)), type: TYPES[ext] ?? 'text/plain' }];
    }),
  );
  const config = JSON.stringify(opts.config);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const file = req.method === 'GET' || req.method === 'HEAD' ? files.get(path) : undefined;
    if (file) {
      res.writeHead(200, {
        'content-type': file.type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // The page runs only its own script and talks only to its own origin.
        'content-security-policy':
          "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'",
      });
      return res.end(req.method === 'HEAD' ? undefined : file.body);
    }
    if (req.method === 'GET' && path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(config);
    }
    opts.api(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
