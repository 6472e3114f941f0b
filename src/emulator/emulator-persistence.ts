import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccountRecord, EmulatorState, NumberRecord, SenderRecord } from './emulator-state';

/**
 * What the emulator keeps in its state file between runs: accounts (with their credentials),
 * owned and released numbers, WhatsApp senders. So integrations stored by Zapdesk keep working
 * after a restart. Messages, media and logs are not kept (a fresh run starts them empty).
 */
interface PersistedState {
  readonly version: 1;
  readonly masterSid: string;
  readonly accounts: readonly Dated<AccountRecord>[];
  readonly numbers: readonly Dated<NumberRecord>[];
  readonly releasedNumbers: readonly Dated<NumberRecord>[];
  readonly senders: readonly SenderRecord[];
}

type Dated<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

/** The master account recorded in a state file, to start the emulator with it; null when there is none. */
export function readPersistedMaster(file: string): { sid: string; token: string } | null {
  const persisted = readPersisted(file);
  if (persisted === null) return null;
  const master = persisted.accounts.find((a) => a.sid === persisted.masterSid);
  return master === undefined ? null : { sid: master.sid, token: master.authToken };
}

/** Loads a state file into a fresh state whose master is the file's master. */
export function restoreState(state: EmulatorState, file: string): boolean {
  const persisted = readPersisted(file);
  if (persisted === null) return false;
  for (const account of persisted.accounts) {
    // A pending secondary token's date went through JSON as a string.
    const secondary = account.secondaryAuthToken ? { token: account.secondaryAuthToken.token, dateCreated: new Date(account.secondaryAuthToken.dateCreated) } : null;
    state.accounts.set(account.sid, {
      ...account,
      dateCreated: new Date(account.dateCreated),
      dateUpdated: new Date(account.dateUpdated),
      secondaryAuthToken: secondary,
    });
  }
  const number = (n: Dated<NumberRecord>): NumberRecord => ({ ...n, dateCreated: new Date(n.dateCreated), dateUpdated: new Date(n.dateUpdated) });
  for (const n of persisted.numbers) state.numbers.set(n.sid, number(n));
  state.releasedNumbers.push(...persisted.releasedNumbers.map(number));
  for (const sender of persisted.senders) state.senders.set(sender.sid, { ...sender });
  return true;
}

/** Writes the state file atomically (aside, then renamed), owner-only: it holds auth tokens. */
export function persistState(state: EmulatorState, file: string): void {
  const snapshot: PersistedState = {
    version: 1,
    masterSid: state.masterSid,
    accounts: [...state.accounts.values()].map((a) => ({ ...a, dateCreated: a.dateCreated.toISOString(), dateUpdated: a.dateUpdated.toISOString() })),
    numbers: [...state.numbers.values()].map(datedNumber),
    releasedNumbers: state.releasedNumbers.map(datedNumber),
    senders: [...state.senders.values()],
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, JSON.stringify(snapshot, null, 1), { mode: 0o600 });
  renameSync(aside, file);
}

function datedNumber(n: NumberRecord): Dated<NumberRecord> {
  return { ...n, dateCreated: n.dateCreated.toISOString(), dateUpdated: n.dateUpdated.toISOString() };
}

function readPersisted(file: string): PersistedState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<PersistedState>;
  if (parsed.version !== 1 || !Array.isArray(parsed.accounts)) throw new Error(`${file} is not an emulator state file (version 1)`);
  return parsed as PersistedState;
}
