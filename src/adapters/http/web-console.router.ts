/**
 * The built web consoles (web/dist: 登录, 坐席工作台, 班长监控) served from the app's own origin, so
 * the pages, the REST API and Socket.IO share one origin and no CORS is needed. Everything the pages
 * load is in the bundle: the CSP allows scripts, fonts, images and connections to this origin only.
 * Styles allow 'unsafe-inline' because Ant Design writes its CSS-in-JS into <style> elements at run
 * time (no script is allowed inline). Hashed assets are cached for a year; index.html never, so a new
 * build is picked up at the next load.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';
import { requirePermission } from '../../domain/access';
import { authOf, requireAuth, type Authenticator } from './auth.middleware';
import { DocumentedRouter } from './route-table';
import { consoleSettingsResponse } from './response-schemas';

export const WEB_CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  mediaSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  workerSrc: ["'self'"],
};

/** Null when the pages were not built (the API still runs; `npm run build:web` builds them). */
export function webConsoleRouter(distDir: string): Router | null {
  const index = path.join(distDir, 'index.html');
  if (!fs.existsSync(index)) return null;
  const r = Router();
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: WEB_CONSOLE_CSP },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  const sendIndex: express.RequestHandler = (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.sendFile(index);
  };
  r.get(['/', '/index.html', '/console', '/console/'], headers, sendIndex);
  r.use(
    '/assets',
    headers,
    express.static(path.join(distDir, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '365d',
    }),
  );
  return r;
}

export interface ConsoleSettings {
  /** 小休 reasons offered by the agent console (BREAK_REASONS). */
  breakReasons: string[];
  /** 话后处理 length, for the console's countdown. */
  wrapUpMs: number;
  /** The answer rule's ring limit, for the ringing bar's countdown. */
  ringTimeoutMs: number;
}

/** What the consoles need to know of the configuration; staff who control agents only. */
export function consoleSettingsRouter(auth: Authenticator, settings: ConsoleSettings): DocumentedRouter {
  const r = new DocumentedRouter();
  r.route(
    { method: 'get', path: '/api/console/settings', summary: 'Agent console settings: break reasons, wrap-up and ring limits', tag: 'agents', permission: 'agents:control', response: consoleSettingsResponse },
    requireAuth(auth),
    (_req, res) => {
      requirePermission(authOf(res).actor, 'agents:control');
      res.json(settings);
    },
  );
  return r;
}
