import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, Response } from 'express';

/**
 * What the agent console reads at `GET /console/config.json`. Both fields are null except in
 * the embedded demo default (the simulator's URL and the demo users' tokens).
 */
export interface ConsoleConfig {
  readonly simulatorUrl: string | null;
  readonly demo: { readonly adminToken: string; readonly agentToken: string } | null;
}

export const NO_CONSOLE_CONFIG: ConsoleConfig = { simulatorUrl: null, demo: null };

/** `dist/console` of the project, from src/ (tests) and dist/ (npm start) alike. */
export const CONSOLE_DIR = resolve(__dirname, '..', '..', '..', 'dist', 'console');

/**
 * Serves the built console (`npm run build`; `npm start` builds it when needed) at /console and
 * its config at /console/config.json. The console is a client of the public API: it only calls
 * the routes every dashboard may call, with the user's token.
 */
export function serveConsole(app: NestExpressApplication, config: ConsoleConfig, directory = CONSOLE_DIR): void {
  const simulatorOrigin = config.simulatorUrl ? new URL(config.simulatorUrl).origin : '';
  const policy = [
    "default-src 'self'",
    `connect-src 'self'${simulatorOrigin ? ` ${simulatorOrigin}` : ''}`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  const http = app.getHttpAdapter().getInstance() as Express;
  http.get('/console/config.json', (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    // The demo users' tokens go only to a browser on this machine: the service listens on every
    // interface, and anyone else on the network must sign in with a token they were given.
    res.json(isLoopbackAddress(req.socket.remoteAddress) ? config : { ...config, demo: null });
  });
  http.use('/console', (_req: Request, res: Response, next: NextFunction) => {
    if (!existsSync(resolve(directory, 'index.html'))) {
      res.status(503).type('text/plain').send('The agent console is not built yet: run `npm run build` (npm start builds it).\n');
      return;
    }
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  app.useStaticAssets(directory, { prefix: '/console', index: 'index.html', redirect: true, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') });
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
