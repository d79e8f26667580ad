/**
 * A local append-only spool (JSON lines on disk) for writes the database could not take.
 * Calls keep flowing while the database is down; what they produce waits here, survives a restart
 * of the process, and is replayed when the database answers again. Replays are idempotent at the
 * database (unique keys, versioned upserts), so a line written twice is stored once.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SpoolEntry<T = unknown> {
  kind: string;
  payload: T;
}

/** One Spool object per file in a process: it is the file's only writer and knows whether it is empty. */
export class Spool {
  private readonly file: string;
  /** Whether the file holds entries; asked before every database write, so kept here, not stat'ed. */
  private hasEntries: boolean;

  constructor(dir: string, name: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${name}.jsonl`);
    this.hasEntries = this.sizeOnDisk() > 0;
  }

  /** Appends synchronously and fsyncs: the entry is on disk when this returns. */
  append(entry: SpoolEntry): void {
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
      // Even a failed write may have left bytes: the next take() looks at the file itself.
      this.hasEntries = true;
    }
  }

  isEmpty(): boolean {
    return !this.hasEntries;
  }

  /** Bytes waiting in the spool file. */
  backlogBytes(): number {
    return this.hasEntries ? this.sizeOnDisk() : 0;
  }

  private sizeOnDisk(): number {
    try {
      return fs.statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /**
   * Takes the current content for replay: the file is renamed first, so entries appended during the
   * replay go to a new file and are not lost. Returns the entries and a function to call when every
   * one was stored; on failure `restore` puts the unreplayed ones back.
   */
  take(): { entries: SpoolEntry[]; done: () => void; restore: (rest: SpoolEntry[]) => void } | null {
    if (this.isEmpty()) return null;
    if (this.sizeOnDisk() === 0) {
      this.hasEntries = false;
      return null;
    }
    const taken = `${this.file}.${Date.now()}.replay`;
    fs.renameSync(this.file, taken);
    this.hasEntries = false;
    const entries = fs
      .readFileSync(taken, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as SpoolEntry];
        } catch {
          // A torn last line (crash mid-write) cannot be replayed; everything before it is intact.
          return [];
        }
      });
    return {
      entries,
      done: () => fs.rmSync(taken, { force: true }),
      restore: (rest) => {
        for (const e of rest) this.append(e);
        fs.rmSync(taken, { force: true });
      },
    };
  }

  /** Replay files left by a crash during a replay are folded back into the spool at start. */
  recoverInterruptedReplays(): void {
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith(`${base}.`) && f.endsWith('.replay')) {
        const full = path.join(dir, f);
        fs.appendFileSync(this.file, fs.readFileSync(full));
        fs.rmSync(full);
      }
    }
    this.hasEntries = this.sizeOnDisk() > 0;
  }
}
