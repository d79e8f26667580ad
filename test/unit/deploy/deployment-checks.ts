/** Helpers of the deployment checks: which of a service's writable volumes its image's user cannot write. */

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  network_mode?: string;
  networks?: string[] | Record<string, unknown>;
  ports?: unknown[];
  extra_hosts?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; disable?: boolean };
  stop_grace_period?: string;
  secrets?: (string | { source: string })[];
  command?: unknown;
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
}

/** The last stage of a Dockerfile: its user, and the directories its RUN lines create and chown. */
function finalStage(dockerfile: string): { user: string; created: Set<string>; owned: Map<string, string> } {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  let user = 'root';
  let created = new Set<string>();
  let owned = new Map<string, string>();
  for (const line of lines) {
    const [instr, ...rest] = line.trim().split(/\s+/);
    const upper = (instr ?? '').toUpperCase();
    if (upper === 'FROM') {
      user = 'root';
      created = new Set();
      owned = new Map();
    } else if (upper === 'USER') {
      user = rest[0]!.split(':')[0]!;
    } else if (upper === 'RUN') {
      for (const cmd of rest.join(' ').split(/&&|;/)) {
        const words = cmd.trim().split(/\s+/);
        const args = words.slice(1).filter((w) => !w.startsWith('-'));
        if (words[0] === 'mkdir') args.forEach((d) => created.add(d));
        if (words[0] === 'chown') args.slice(1).forEach((d) => owned.set(d, args[0]!.split(':')[0]!));
      }
    }
  }
  return { user, created, owned };
}

/** `source:target[:mode]`: a path as source is a bind mount, a name a named volume. */
function shortSyntax(v: string): { type: string; target: string; read_only: boolean } {
  const [source, target, mode] = v.split(':');
  return { type: /^[./~]/.test(source!) ? 'bind' : 'volume', target: target!, read_only: (mode ?? '').split(',').includes('ro') };
}

/** Problems, one per writable volume the image's user could not write (empty when all are fine). */
export function writableVolumeProblems(service: ComposeService, dockerfile: string): string[] {
  const { user, created, owned } = finalStage(dockerfile);
  const problems: string[] = [];
  for (const v of service.volumes ?? []) {
    const mount = typeof v === 'string' ? shortSyntax(v) : v;
    if (mount.read_only || user === 'root') continue;
    if (mount.type === 'bind') problems.push(`${mount.target}: a bind mount (its owner is the host’s): use a named volume`);
    else if (!created.has(mount.target)) problems.push(`${mount.target}: not created in the image (owner would be root, user is ${user})`);
    else if (owned.get(mount.target) !== user) problems.push(`${mount.target}: not owned by ${user} in the image`);
  }
  return problems;
}
