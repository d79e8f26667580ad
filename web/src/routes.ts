/**
 * Pages reached by their address (`#/reports`, `#/admin`): each area lists its own in its own file,
 * and this module joins the lists. A page a role may not open is not offered (the server refuses its
 * API anyway).
 */
import { useEffect, useState, type ComponentType } from 'react';
import type { Role, SessionUser } from './api';
import { REPORT_ROUTES } from './reports/routes';

export interface PageRoute {
  /** The hash path, e.g. `/reports`. */
  readonly path: string;
  /** The menu label. */
  readonly label: string;
  readonly roles: readonly Role[];
  readonly load: () => Promise<{ default: ComponentType<{ user: SessionUser }> }>;
}

export const ROUTES: readonly PageRoute[] = [...REPORT_ROUTES];

export const routesFor = (role: Role): PageRoute[] => ROUTES.filter((r) => r.roles.includes(role));

/** The hash path (`#/reports?x` → `/reports`), following navigation. */
export function useHashPath(): string {
  const read = () => window.location.hash.replace(/^#/, '').split('?')[0] || '/';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const on = () => setPath(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return path;
}
