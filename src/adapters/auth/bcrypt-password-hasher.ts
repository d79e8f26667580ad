/** PasswordHasher with bcrypt (bcryptjs: pure JS, no native build). */
import bcrypt from 'bcryptjs';
import type { PasswordHasher } from '../../app/auth/auth.ports';

export class BcryptPasswordHasher implements PasswordHasher {
  /** 12 rounds in production; tests may lower it to keep suites fast. */
  constructor(private readonly rounds = 12) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  verify(password: string, hash: string): Promise<boolean> {
    // bcrypt only reads the first 72 bytes; longer inputs are refused at the edge (validation).
    return bcrypt.compare(password, hash);
  }
}
