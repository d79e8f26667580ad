/** 回拨管理: supervisors assign the callback requests; agents place theirs from the agent console (我的回拨). */
import { lazy } from 'react';
import type { PageEntry } from '../shell/pages';

export const CALLBACK_PAGES: readonly PageEntry[] = [
  { key: 'callbacks', label: '回拨管理', roles: ['supervisor', 'admin'], component: lazy(() => import('./CallbacksPage')) },
];
