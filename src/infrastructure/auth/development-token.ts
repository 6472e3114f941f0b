import jwt from 'jsonwebtoken';

export interface DevelopmentTokenClaims {
  readonly companyId: string;
  readonly role: 'admin' | 'agent';
  /** The user id (`sub`); default `<company>-<role>`. */
  readonly userId?: string;
  /** A duration such as `30d`, `12h`, or seconds; default 30 days. */
  readonly expiresIn?: string;
}

/** The demo company of the embedded default; its users are `demo-admin` and `demo-agent`. */
export const DEMO_COMPANY_ID = 'demo';

/** A bearer token as Zapdesk checks it: HS256, claims `sub`, `companyId`, `role`. For development only. */
export function mintDevelopmentToken(secret: string, claims: DevelopmentTokenClaims): string {
  const expiresIn = claims.expiresIn ?? '30d';
  return jwt.sign({ sub: claims.userId ?? `${claims.companyId}-${claims.role}`, companyId: claims.companyId, role: claims.role }, secret, {
    algorithm: 'HS256',
    expiresIn: (/^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn) as NonNullable<jwt.SignOptions['expiresIn']>,
  });
}
