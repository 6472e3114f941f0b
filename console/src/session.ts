/**
 * The signed-in user: the token and what its claims say. The claims are only read here (to
 * show the role and pick the admin views); the service verifies the token on every request.
 * The token is kept in sessionStorage (storage.ts: this tab only), never in a URL but the
 * event stream's.
 */

export type Role = 'admin' | 'agent';

export interface Session {
  readonly token: string;
  readonly userId: string;
  readonly companyId: string;
  readonly role: Role;
  /** Seconds since the epoch, when the token has `exp`. */
  readonly expiresAt: number | null;
}

export type SessionProblem = 'invalid' | 'expired';

export function readSession(rawToken: string): Session | SessionProblem {
  const token = rawToken.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3) return 'invalid';
  let claims: { sub?: unknown; companyId?: unknown; role?: unknown; exp?: unknown };
  try {
    const base64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes)) as typeof claims;
  } catch {
    return 'invalid';
  }
  if (typeof claims.sub !== 'string' || typeof claims.companyId !== 'string' || (claims.role !== 'admin' && claims.role !== 'agent')) return 'invalid';
  const expiresAt = typeof claims.exp === 'number' ? claims.exp : null;
  if (expiresAt !== null && expiresAt * 1000 <= Date.now()) return 'expired';
  return { token, userId: claims.sub, companyId: claims.companyId, role: claims.role, expiresAt };
}
