/**
 * The express application and its HTTP server. Routers are built elsewhere and passed in;
 * this file only fixes the order: security headers, body limits, routes, 404, error handler.
 * The security headers (helmet) come first, so every response has them: the API, /healthz,
 * /readyz, /metrics, 404s and errors alike.
 */
import http from 'node:http';
import express, { type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '../../shared/logger';
import { errorHandler, notFoundHandler } from './error-handler';

export interface HttpServerOptions {
  host: string;
  port: number;
  routers: Router[];
  /** Largest accepted JSON body. */
  bodyLimit?: string;
}

export class HttpServer {
  readonly app: express.Express;
  readonly server: http.Server;

  constructor(
    private readonly opts: HttpServerOptions,
    private readonly log: Logger,
  ) {
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.set('trust proxy', false);
    this.app.use(helmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: false }));
    this.app.use(express.json({ limit: opts.bodyLimit ?? '100kb', strict: true }));
    for (const r of opts.routers) this.app.use(r);
    this.app.use(notFoundHandler());
    this.app.use(errorHandler(log));
    this.server = http.createServer(this.app);
  }

  start(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        const addr = this.server.address();
        const port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
        this.log.info('http listening', { host: this.opts.host, port });
        resolve({ host: this.opts.host, port });
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
