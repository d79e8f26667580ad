import { lazy, Suspense, useEffect, useState } from 'react';
import { Spin } from 'antd';
import { currentUser, onSignedOut, type SessionUser } from './api';
import { Login } from './pages/Login';
import { loadAgentConsole, loadWallboard } from './consoles';

// Each console is its own chunk (both fetched while the login runs, see consoles.ts); the charts
// are the wallboard's own chunk, which an agent's browser never loads.
const AgentConsole = lazy(loadAgentConsole);
const Wallboard = lazy(loadWallboard);

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
