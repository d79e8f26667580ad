/**
 * The pages of the web app after 登录, each its own chunk, and who may open them. Each area lists
 * its pages in its own module (desk/routes.ts, callbacks/routes.ts, callers/routes.ts, reports/routes.ts); the menu shows the pages of the user's role in
 * the order listed here, and the first is the landing page.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Role, SessionUser } from '../api';
import { loadAgentConsole, loadWallboard } from '../consoles';
import { CALLBACK_PAGES } from '../callbacks/routes';
import { DESK_PAGES } from '../desk/routes';
import { REPORT_PAGES } from '../reports/routes';
import { CALLER_PAGES } from '../callers/routes';

export interface PageEntry {
  /** The hash route: `#/<key>` (a query after `?` is the page's own, e.g. `#/reports?period=month&key=2026-05`). */
  readonly key: string;
  readonly label: string;
  readonly roles: readonly Role[];
  readonly component: LazyExoticComponent<ComponentType<{ user: SessionUser }>>;
}

const CONSOLE_PAGES: readonly PageEntry[] = [
  { key: 'console', label: '坐席工作台', roles: ['agent'], component: lazy(loadAgentConsole) },
  { key: 'wallboard', label: '班长监控', roles: ['supervisor', 'admin'], component: lazy(loadWallboard) },
];

export const PAGES: readonly PageEntry[] = [...CONSOLE_PAGES, ...DESK_PAGES, ...CALLBACK_PAGES, ...CALLER_PAGES, ...REPORT_PAGES];

export const pagesFor = (role: Role): PageEntry[] => PAGES.filter((p) => p.roles.includes(role));
