/**
 * The two consoles' chunks. Which one a user gets is known only once the login answers, so both
 * start loading as the login is sent: the shared Ant Design chunk and the page's own (≈ 130 KB gzip)
 * come in while the server checks the password, instead of after it. The charts stay out: the
 * wallboard loads them after it shows, and an agent's browser never does.
 */
export const loadAgentConsole = () => import('./pages/AgentConsole');
export const loadWallboard = () => import('./pages/Wallboard');

export function preloadConsoles(): void {
  loadAgentConsole().catch(() => undefined);
  loadWallboard().catch(() => undefined);
}
