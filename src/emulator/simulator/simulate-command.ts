import { parseArgs } from 'node:util';
import { DEFAULT_CUSTOMER_NUMBER, SIMULATOR_PATH } from './simulator-http';

/**
 * `npm run simulate -- --body "Olá"`: WhatsApp customers writing in. Asks the running service's
 * embedded Twilio emulator (over HTTP, `POST /_simulator/inbound`) to send each message, and the
 * emulator posts the signed webhook to the number's configured URL, exactly as Twilio does.
 */

export const SIMULATE_USAGE = `usage: npm run simulate -- [options]
  --body TEXT           message text (default "Olá" when no --media)
  --media URL           attach the file at URL (the emulator fetches it and serves it as Twilio media)
  --from +E164          the customer (default ${DEFAULT_CUSTOMER_NUMBER})
  --profile-name NAME   the customer's WhatsApp profile name
  --to +E164            the integration's number to write to (default: the demo's, else the latest configured)
  --count N             send N messages (default 1)
  --rate R              at R messages per second (default 5)
  --contacts K          from K different customers: --from, --from + 1, ... (default 1)
  --emulator-url URL    a Twilio emulator other than the running service's
Exit code: 0 every webhook answered 2xx, 1 some did not, 2 bad arguments, 3 no emulator to talk to.`;

export interface SimulateIo {
  /** The emulator to use when --emulator-url is not given; a reason when none can be found. */
  readonly emulatorUrl: () => { url: string } | { error: string };
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly fetch?: typeof fetch;
}

interface Plan {
  readonly emulatorUrl: string;
  readonly to?: string;
  readonly from: string;
  readonly body?: string;
  readonly mediaUrl?: string;
  readonly profileName?: string;
  readonly count: number;
  readonly rate: number;
  readonly contacts: number;
}

class UsageError extends Error {}

export async function runSimulateCommand(args: readonly string[], io: SimulateIo): Promise<number> {
  let plan: Plan;
  try {
    const parsed = parse(args);
    if (parsed === 'help') {
      io.out(SIMULATE_USAGE);
      return 0;
    }
    const emulator = parsed.emulatorUrl !== undefined ? { url: parsed.emulatorUrl } : io.emulatorUrl();
    if ('error' in emulator) {
      io.err(emulator.error);
      return 3;
    }
    plan = { ...parsed, emulatorUrl: emulator.url.replace(/\/+$/, '') };
  } catch (error) {
    if (!(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw error;
    io.err(`${(error as Error).message}\n${SIMULATE_USAGE}`);
    return 2;
  }

  const doFetch = io.fetch ?? fetch;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  let answered2xx = 0;
  let failed = 0;
  for (let i = 0; i < plan.count; i += 1) {
    const due = started + (i * 1000) / plan.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight.size >= 50) await Promise.race(inFlight);
    const contact = i % plan.contacts;
    const from = plan.contacts > 1 ? nthNumber(plan.from, contact) : plan.from;
    const body = plan.body === undefined ? (plan.mediaUrl === undefined ? 'Olá' : undefined) : plan.count > 1 ? `${plan.body} (${i + 1}/${plan.count})` : plan.body;
    const profileName = plan.profileName ?? (plan.contacts > 1 ? `Customer ${contact + 1}` : undefined);
    const request = {
      from,
      ...(plan.to === undefined ? {} : { to: plan.to }),
      ...(body === undefined ? {} : { body }),
      ...(plan.mediaUrl === undefined ? {} : { mediaUrl: plan.mediaUrl }),
      ...(profileName === undefined ? {} : { profileName }),
    };
    const task = send(doFetch, plan.emulatorUrl, request).then((result) => {
      if (result.ok) answered2xx += 1;
      else failed += 1;
      (result.ok ? io.out : io.err)(result.line);
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }
  await Promise.all(inFlight);
  if (plan.count > 1) {
    const seconds = (Date.now() - started) / 1000;
    io.out(`${plan.count} messages from ${plan.contacts} customer(s) in ${seconds.toFixed(1)} s: ${answered2xx} accepted by Zapdesk, ${failed} not`);
  }
  return failed === 0 ? 0 : 1;
}

async function send(doFetch: typeof fetch, emulatorUrl: string, request: Record<string, string>): Promise<{ ok: boolean; line: string }> {
  let response: Response;
  try {
    response = await doFetch(`${emulatorUrl}${SIMULATOR_PATH}/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return { ok: false, line: `cannot reach the Twilio emulator at ${emulatorUrl}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const answer = (await response.json().catch(() => ({}))) as {
    messageSid?: string;
    to?: string;
    from?: string;
    webhookStatus?: number | null;
    webhookError?: string;
    error?: { message?: string };
  };
  if (!response.ok) return { ok: false, line: `simulator refused (HTTP ${response.status}): ${answer.error?.message ?? 'no detail'}` };
  const status = answer.webhookStatus;
  const ok = typeof status === 'number' && status >= 200 && status < 300;
  const outcome = ok ? `Zapdesk answered ${status}` : status == null ? `no answer from Zapdesk (${answer.webhookError ?? 'connection failed'})` : `Zapdesk answered ${status}`;
  return { ok, line: `${answer.messageSid} ${answer.from} -> ${answer.to}: ${outcome}` };
}

function parse(args: readonly string[]): Omit<Plan, 'emulatorUrl'> & { emulatorUrl?: string } | 'help' {
  const { values } = parseArgs({
    args: [...args],
    options: {
      body: { type: 'string', short: 'b' },
      media: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'profile-name': { type: 'string' },
      count: { type: 'string', short: 'n' },
      rate: { type: 'string' },
      contacts: { type: 'string' },
      'emulator-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const count = positiveNumber(values.count, 'count', 1, true);
  const rate = positiveNumber(values.rate, 'rate', 5, false);
  const contacts = positiveNumber(values.contacts, 'contacts', 1, true);
  const from = e164(values.from, 'from') ?? DEFAULT_CUSTOMER_NUMBER;
  const to = e164(values.to, 'to');
  if (contacts > 1 && !/^\+\d+$/.test(nthNumber(from, contacts - 1))) throw new UsageError('--contacts is too large for --from');
  return {
    from,
    count,
    rate,
    contacts,
    ...(to === undefined ? {} : { to }),
    ...(values.body === undefined ? {} : { body: values.body }),
    ...(values.media === undefined ? {} : { mediaUrl: values.media }),
    ...(values['profile-name'] === undefined ? {} : { profileName: values['profile-name'] }),
    ...(values['emulator-url'] === undefined ? {} : { emulatorUrl: values['emulator-url'] }),
  };
}

function positiveNumber(raw: string | undefined, name: string, fallback: number, whole: boolean): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a positive ${whole ? 'whole ' : ''}number, not "${raw}"`);
  }
  return value;
}

function e164(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim().replace(/^whatsapp:/, '');
  if (!/^\+[1-9]\d{6,14}$/.test(value)) throw new UsageError(`--${name} must be an E.164 number such as ${DEFAULT_CUSTOMER_NUMBER}, not "${raw}"`);
  return value;
}

/** The customer number `offset` after `base` (+5511999990000 → +5511999990001, ...). */
export function nthNumber(base: string, offset: number): string {
  return `+${(BigInt(base.slice(1)) + BigInt(offset)).toString()}`;
}
