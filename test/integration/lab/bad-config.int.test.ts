/**
 * The app refuses to start with a bad configuration and names every problem at once
 * (the real entry point, src/main.ts, in a child process).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

describe('start with a bad configuration', () => {
  it('exits with EX_CONFIG and lists every bad variable, without starting anything', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        HTTP_PORT: 'eighty',
        MONGODB_URI: 'postgres://nope',
        RING_TIMEOUT_MS: '5',
        ARI_PASSWORD: 'hotline-lab-secret',
      },
    });
    expect(r.status).toBe(78);
    expect(r.stdout).toBe('');
    for (const name of ['HTTP_PORT', 'MONGODB_URI', 'RING_TIMEOUT_MS', 'ARI_PASSWORD', 'JWT_SECRET']) {
      expect(r.stderr).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    }
  });
});
