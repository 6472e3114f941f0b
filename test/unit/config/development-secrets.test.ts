import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { developmentSecret } from '../../../src/infrastructure/config/development-secrets';
import { readServiceEnvironment } from '../../../src/infrastructure/config/service-environment';
import { runTokenCommand } from '../../../src/interfaces/cli/token.command';
import { mintDevelopmentToken } from '../../../src/infrastructure/auth/development-token';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zapdesk-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('development secrets in the data folder', () => {
  it('generates each secret once, owner-only, and reads it back on later starts', () => {
    const first = developmentSecret(join(dir, 'data'), 'jwtSecret');
    expect(first.created).toBe(true);
    const file = join(dir, 'data', 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = developmentSecret(join(dir, 'data'), 'jwtSecret');
    expect(again).toEqual({ value: first.value, created: false });
    expect(readFileSync(file, 'utf8').trim()).toBe(first.value);
  });

  it('puts a loosened file back to mode 0600', () => {
    const { value } = developmentSecret(dir, 'encryptionKeys');
    chmodSync(join(dir, 'encryption-keys'), 0o644);
    expect(developmentSecret(dir, 'encryptionKeys').value).toBe(value);
    expect(statSync(join(dir, 'encryption-keys')).mode & 0o777).toBe(0o600);
  });

  it('gives the service the same JWT secret and keyring on every start, and the environment wins', () => {
    const env = { ZAPDESK_DATA_DIR: dir };
    const a = readServiceEnvironment(env);
    const b = readServiceEnvironment(env);
    expect(a.jwtSecret).toBe(b.jwtSecret);
    expect(a.developmentJwtSecret).toBe(true);
    expect([...a.keyring.keys()]).toEqual([...b.keyring.keys()]);
    expect(a.keyring.get(a.activeKeyId)!.equals(b.keyring.get(b.activeKeyId)!)).toBe(true);
    const configured = readServiceEnvironment({ ...env, JWT_SECRET: 'from-env' });
    expect(configured.jwtSecret).toBe('from-env');
    expect(configured.developmentJwtSecret).toBe(false);
    // Warnings name the file, never the value.
    for (const warning of a.warnings) expect(warning).not.toContain(a.jwtSecret);
  });

  it('uses an existing file as it is (a secret copied from another machine)', () => {
    writeFileSync(join(dir, 'jwt-secret'), 'shared-team-secret\n');
    expect(readServiceEnvironment({ ZAPDESK_DATA_DIR: dir }).jwtSecret).toBe('shared-team-secret');
  });
});

describe('npm run token', () => {
  const run = (args: string[], secret = 's3cret') => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runTokenCommand(args, { mint: (request) => mintDevelopmentToken(secret, request), out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('mints an HS256 token with the claims Zapdesk checks, and nothing else on stdout', () => {
    const { code, out } = run(['--role', 'agent', '--company', 'acme']);
    expect(code).toBe(0);
    const claims = jwt.verify(out, 's3cret', { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'acme-agent', companyId: 'acme', role: 'agent' });
    expect(claims.exp! - claims.iat!).toBe(30 * 24 * 3600);
  });

  it('defaults to the demo admin', () => {
    const claims = jwt.decode(run([]).out) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'demo-admin', companyId: 'demo', role: 'admin' });
  });

  it('refuses unknown roles, bad company ids and unknown options with exit code 2', () => {
    expect(run(['--role', 'owner']).code).toBe(2);
    expect(run(['--company', 'a b']).code).toBe(2);
    expect(run(['--colour', 'red']).code).toBe(2);
    expect(run(['--expires-in', 'soon']).code).toBe(2);
  });
});
