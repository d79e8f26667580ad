import { lazy, Suspense, useEffect, useState } from 'react';
import { Spin } from 'antd';
import { currentUser, onSignedOut, type SessionUser } from './api';
import { Login } from './pages/Login';

// Each console is its own chunk: an agent's browser never loads the wallboard (nor its charts).
const AgentConsole = lazy(() => import('./pages/AgentConsole'));
const Wallboard = lazy(() => import('./pages/Wallboard'));

export function App() {
  const [user, setUser] = useState<SessionUser | null>(currentUser());
  useEffect(() => onSignedOut(() => setUser(null)), []);
  if (!user) return <Login onSignedIn={setUser} />;
  return (
    <Suspense fallback={<Spin size="large" tip="加载中…" fullscreen />}>
      {user.role === 'agent' ? <AgentConsole user={user} /> : <Wallboard user={user} />}
    </Suspense>
  );
}
