/**
 * The MongoDB connection (mongoose). Production runs MongoDB; tests and the lab run FerretDB v2 on
 * PostgreSQL + DocumentDB, so queries stay inside the subset both support (docs/database.md).
 * MONGODB_URI switches between them. Indexes are created by the repositories at start
 * (`ensureIndexes`), never by mongoose in the background (`autoIndex: false`).
 *
 * The driver reconnects by itself; `ping()` tells readiness and callers that must not lose data
 * (the call event spool) check `isUp()` before writing.
 */
import mongoose from 'mongoose';
import type { Logger } from '../../shared/logger';

export class DbConnection {
  readonly connection: mongoose.Connection;
  private started = false;

  constructor(
    private readonly uri: string,
    private readonly log: Logger,
  ) {
    // A separate connection (not the mongoose default) so two app instances can live in one test process.
    this.connection = mongoose.createConnection();
    this.connection.on('disconnected', () => this.started && this.log.warn('database disconnected'));
    this.connection.on('reconnected', () => this.log.info('database reconnected'));
    this.connection.on('error', (err: unknown) => this.log.error('database error', { err: String(err) }));
  }

  /** Connects, retrying until the server answers (the app may start before the database). */
  async start(retryMs = 1000, maxWaitMs = 60_000): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      try {
        await this.connection.openUri(this.uri, { serverSelectionTimeoutMS: 3000, heartbeatFrequencyMS: 2000, maxPoolSize: 20, autoIndex: false });
        this.started = true;
        this.log.info('database connected', { uri: this.uri });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        this.log.warn('database not reachable yet, retrying', { err: String(err) });
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }

  isUp(): boolean {
    return this.connection.readyState === mongoose.ConnectionStates.connected;
  }

  /** Round trip to the server; false when it does not answer within `timeoutMs`. */
  async ping(timeoutMs = 1500): Promise<boolean> {
    if (!this.isUp() || !this.connection.db) return false;
    try {
      const db = this.connection.db;
      await Promise.race([
        db.admin().command({ ping: 1 }),
        new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), timeoutMs)),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.connection.close();
  }
}
