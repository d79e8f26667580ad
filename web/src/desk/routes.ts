/** The work-order desk's pages (工单中心, 承办单位工作台, 审核与回访), each its own chunk. */
import { lazy } from 'react';
import type { PageEntry } from '../shell/pages';

export const DESK_PAGES: readonly PageEntry[] = [
  { key: 'desk', label: '工单中心', roles: ['supervisor', 'admin'], component: lazy(() => import('./DeskPage')) },
  { key: 'review', label: '审核与回访', roles: ['supervisor', 'admin'], component: lazy(() => import('./ReviewPage')) },
  { key: 'inbox', label: '承办单位工作台', roles: ['unit_handler'], component: lazy(() => import('./UnitInbox')) },
];
