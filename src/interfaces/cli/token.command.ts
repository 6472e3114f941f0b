import { parseArgs } from 'node:util';

export interface TokenRequest {
  readonly companyId: string;
  readonly role: 'admin' | 'agent';
  readonly userId?: string;
  readonly expiresIn: string;
}

const DEMO_COMPANY_ID = 'demo';

export const TOKEN_USAGE = `usage: npm run -s token -- [--role admin|agent] [--company ID] [--user ID] [--expires-in 30d]
  Prints a development bearer token (only the token, on stdout), signed with JWT_SECRET when set,
  else with the development secret of the data folder (the one \`npm start\` uses).
  Defaults: --role admin --company ${DEMO_COMPANY_ID} --user <company>-<role> --expires-in 30d`;

/** `npm run token -- --role agent --company acme`: 0 printed, 2 bad arguments. */
export function runTokenCommand(args: readonly string[], io: { mint: (request: TokenRequest) => string; out: (line: string) => void; err: (line: string) => void }): number {
  let values: { role?: string; company?: string; user?: string; 'expires-in'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        role: { type: 'string', short: 'r' },
        company: { type: 'string', short: 'c' },
        user: { type: 'string', short: 'u' },
        'expires-in': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n${TOKEN_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(TOKEN_USAGE);
    return 0;
  }
  const role = values.role ?? 'admin';
  if (role !== 'admin' && role !== 'agent') {
    io.err(`--role must be admin or agent, not "${role}"\n${TOKEN_USAGE}`);
    return 2;
  }
  const companyId = values.company ?? DEMO_COMPANY_ID;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(companyId)) {
    io.err('--company must be 1-64 letters, digits, "_" or "-"');
    return 2;
  }
  const expiresIn = values['expires-in'] ?? '30d';
  if (!/^\d+(\.\d+)?\s*(ms|s|m|h|d|w|y)?$/i.test(expiresIn)) {
    io.err(`--expires-in takes a duration such as 30d, 12h or 3600, not "${expiresIn}"`);
    return 2;
  }
  io.out(io.mint({ companyId, role, expiresIn, ...(values.user ? { userId: values.user } : {}) }));
  return 0;
}
