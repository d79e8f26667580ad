/**
 * Pages reached by their address (`#/reports`, `#/admin`), each its own chunk, and who may open
 * them: each area lists its pages in its own module (reports/routes.ts), joined here. A page a
 * role may not open is not offered (the server refuses its API anyway).
 */
import { useEffect, useState, type ComponentType, type LazyExoticComponent } from 'react';
import type { Role, SessionUser } from './api';
import { REPORT_PAGES } from './reports/routes';

export interface PageEntry {
  /** The hash route: `#/<key>` (a query after `?` is the page's own). */
  readonly key: string;
  readonly label: string;
  readonly roles: readonly Role[];
  readonly component: LazyExoticComponent<ComponentType<{ user: SessionUser }>>;
}

export const PAGES: readonly PageEntry[] = [...REPORT_PAGES];

export const pagesFor = (role: Role): PageEntry[] => PAGES.filter((p) => p.roles.includes(role));

/** The page key of the address (`#/reports?period=month` → `reports`), following navigation. */
export function useHashRoute(): string {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
