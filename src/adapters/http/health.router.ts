/**
 * Liveness and readiness, unauthenticated on purpose (load balancers and orchestrators call them;
 * they reveal only which dependency is failing).
 * GET /healthz: the process is up. GET /readyz: ARI connected and database reachable, 503 naming the failing one.
 */
import { Router } from 'express';

export interface ReadinessProbe {
  name: string;
  check(): Promise<boolean> | boolean;
}

export function healthRouter(probes: ReadinessProbe[]): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      probes.map(async (p) => {
        try {
          return [p.name, (await p.check()) ? 'ok' : 'failing'] as const;
        } catch {
          return [p.name, 'failing'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const failing = results.filter(([, s]) => s !== 'ok').map(([n]) => n);
    res.status(failing.length === 0 ? 200 : 503).json({ status: failing.length === 0 ? 'ready' : 'not ready', failing, checks });
  });
  return router;
}
