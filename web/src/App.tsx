import { useEffect, useState } from 'react';
import { currentUser, onSignedOut, type SessionUser } from './api';
import { Login } from './pages/Login';
import { Shell } from './shell/Shell';

// Each page is its own chunk (the consoles' fetched while the login runs, see consoles.ts); the
// charts are the wallboard's own chunk, which an agent's browser never loads. Which pages a role
// gets: shell/pages.ts.
export function App() {
  const [user, setUser] = useState<SessionUser | null>(currentUser());
  useEffect(() => onSignedOut(() => setUser(null)), []);
  if (!user) return <Login onSignedIn={setUser} />;
  return <Shell user={user} />;
}
