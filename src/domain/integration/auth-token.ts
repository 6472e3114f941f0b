import { inspect } from 'node:util';
import { InvalidValueError } from '../shared/domain-error';

const REDACTED = '[redacted auth token]';
/** Twilio auth tokens are 32 hex characters; we accept any 16-128 printable chars to stay future-proof. */
const TOKEN = /^[\x21-\x7e]{16,128}$/;

/**
 * A Twilio auth token in clear text, in memory only. Every way of printing it
 * (String(), template strings, JSON.stringify, util.inspect / console.log) yields a
 * redaction marker; only `reveal()` gives the value, and only adapters call it.
 */
export class AuthToken {
  readonly #value: string;

  private constructor(value: string) {
    this.#value = value;
  }

  static of(raw: unknown, field = 'authToken'): AuthToken {
    if (typeof raw !== 'string' || !TOKEN.test(raw)) {
      throw new InvalidValueError(field, 'must be a Twilio auth token (16-128 visible characters)');
    }
    return new AuthToken(raw);
  }

  reveal(): string {
    return this.#value;
  }

  equals(other: AuthToken): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** An auth token encrypted at rest: ciphertext plus the id of the key that encrypted it. */
export interface EncryptedSecret {
  /** base64 of iv | auth tag | ciphertext (AES-256-GCM); opaque to the domain. */
  readonly ciphertext: string;
  readonly keyId: string;
}
