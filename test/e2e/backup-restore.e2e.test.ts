import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createConnection } from 'mongoose';
import { NotificationStore } from '../../src/application/ports/notification.port';
import { TOKENS } from '../../src/application/ports/tokens';
import { startTwilioEmulator, TwilioEmulator } from '../../src/emulator/twilio-emulator';
import { runBackupCommand, runRestoreCommand } from '../../src/infrastructure/operations/backup/backup.command';
import { withDatabaseName } from '../../src/infrastructure/persistence/database/database-server';
import { testDatabaseName, testDatabaseUri } from '../support/database/test-database';
import { customerWrites, FAST_DELIVERY_ENV, messageBecomes, reply } from './outbound-support';
import { startTestService, TestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber, postSigned } from '../support/e2e/whatsapp-fixtures';

/**
 * `npm run backup` then `npm run restore` into a fresh database (the same functions the CLI
 * runs, with the CLI's arguments and exit codes): a service on the restored database answers
 * the API exactly as the original did, and its integrations' tokens still work.
 */

jest.setTimeout(120_000);

let emulator: TwilioEmulator;
let original: TestService;
let folder: string;
let numbers: ConnectedNumber[];
const restoredName = testDatabaseName('restored');
const restoredUri = () => withDatabaseName(process.env.ZAPDESK_TEST_MONGODB_URI!, restoredName);
let restoredDatabase = '';

function io(uri: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), env: { MONGODB_URI: uri } } };
}

/** What the API answers about everything a company has, as an admin and as an agent sees it. */
async function apiView(t: TestService, companies: readonly string[]): Promise<unknown> {
  const view: Record<string, unknown> = {};
  for (const company of companies) {
    const admin = `Bearer ${t.token(company, 'admin', 'admin-1')}`;
    const agent = `Bearer ${t.token(company, 'agent', 'agent-ana')}`;
    const get = async (path: string, auth: string) => {
      const answer = await t.http.get(path).set('Authorization', auth);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      return answer.body as { items?: Array<{ id: string }> };
    };
    const integrations = await get('/integrations', admin);
    const tickets = await get('/tickets?limit=100', agent);
    const details: Record<string, unknown> = {};
    for (const ticket of tickets.items ?? []) {
      details[ticket.id] = { ticket: await get(`/tickets/${ticket.id}`, agent), messages: await get(`/tickets/${ticket.id}/messages?limit=100`, agent) };
    }
    const integrationDetails: Record<string, unknown> = {};
    for (const integration of integrations.items ?? []) integrationDetails[integration.id] = await get(`/integrations/${integration.id}`, admin);
    view[company] = {
      integrations,
      integrationDetails,
      whatsapp: await get('/integrations/whatsapp', agent),
      tickets,
      details,
      adminNotifications: await get('/notifications', admin),
      agentNotifications: await get('/notifications', agent),
    };
  }
  return view;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'zapdesk-backup-test-'));
  emulator = await startTwilioEmulator({ senderOnlineDelayMs: 50 });
  original = await startTestService({ sharedEmulator: emulator, env: FAST_DELIVERY_ENV });
  numbers = [await connectExistingNumber(original, 'acme', '+14155554001'), await connectExistingNumber(original, 'globex', '+14155554002')];
  for (const [i, number] of numbers.entries()) {
    const ticket = await customerWrites(original, number, `+55119800000${i}`, 'Olá, meu pedido?');
    await customerWrites(original, number, `+55119800000${i}`, 'Alguém aí? 🙂');
    await customerWrites(original, number, `+55119811111${i}`, 'Outro cliente');
    const sent = await reply(original, ticket, { body: 'Oi! Já vejo isso.' });
    expect(sent.status).toBe(202);
    await messageBecomes(original, sent.body.id, (doc) => !['queued', 'sending'].includes(String(doc.status)));
    await original.http.patch(`/tickets/${ticket.ticketId}`).set('Authorization', `Bearer ${original.token(number.companyId, 'agent')}`).send({ status: 'pending', read: true });
    const store = original.service.container.get<NotificationStore>(TOKENS.NotificationStore);
    await store.add({ companyId: number.companyId, recipient: { role: 'admin' }, kind: 'low_balance', subjectId: number.integrationId, message: 'Twilio balance is low' });
    await store.add({ companyId: number.companyId, recipient: { userId: 'agent-ana' }, kind: 'message_failed', subjectId: sent.body.id, message: 'A reply failed' });
  }
});
afterAll(async () => {
  await original.service.connection.dropDatabase();
  await original.close();
  await emulator.close();
  if (restoredDatabase) {
    const connection = await createConnection(restoredUri()).asPromise();
    await connection.dropDatabase();
    await connection.close();
  }
  rmSync(folder, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('a service on the restored database answers the API as the original did, and its tokens still work', async () => {
    const before = await apiView(original, ['acme', 'globex']);
    const file = join(folder, 'zapdesk.ndjson.gz');

    const backup = io(testDatabaseUri());
    expect(await runBackupCommand(['--out', file], backup.io)).toBe(0);
    expect(backup.out.join('\n')).toMatch(/^backup written to .*zapdesk\.ndjson\.gz \(\d+ bytes\): integrations 2, inbound_inbox 0, inbound_lanes \d+, tickets 4, messages 8, notifications 4$/);
    expect(backup.err.some((line) => /^backup: messages 8\/8 \(\d+ documents in all\)$/.test(line))).toBe(true);
    // Nothing changed while it ran: no warning that the backup is not exact.
    expect(backup.err.join('\n')).not.toContain('changed data during the backup');
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ format: 'zapdesk-backup', version: 1 });
    // Tokens stay encrypted in the file.
    for (const number of numbers) expect(text).not.toContain(number.authToken);
    // No second backup over the first unless asked.
    expect(await runBackupCommand(['--out', file], io(testDatabaseUri()).io)).toBe(2);

    restoredDatabase = restoredUri();
    const restore = io(restoredUri());
    expect(await runRestoreCommand(['--in', file], restore.io)).toBe(0);
    expect(restore.out.join('\n')).toContain('integrations 2, inbound_inbox 0');

    const restored = await startTestService({ sharedEmulator: emulator, env: FAST_DELIVERY_ENV, service: { mongodbUri: restoredUri() } });
    try {
      expect(await apiView(restored, ['acme', 'globex'])).toEqual(before);
      // The restored integrations decrypt their tokens: validation and Twilio's signatures work.
      for (const number of numbers) {
        const validated = await restored.http.post(`/integrations/${number.integrationId}/validate`).set('Authorization', `Bearer ${restored.token(number.companyId, 'admin')}`);
        expect(validated.body.status).toBe('active');
        const params = emulator.buildInboundParams({ to: number.number, from: '+5511980000000', accountSid: number.accountSid, body: 'depois da restauração' });
        expect((await postSigned(restored, '/ticket-messages/webhook', params, { authToken: number.authToken })).status).toBe(200);
      }
    } finally {
      await restored.close();
    }
  });

  it('refuses a database holding data unless --force, and then replaces it', async () => {
    const file = join(folder, 'zapdesk.ndjson.gz');
    const refused = io(restoredUri());
    expect(await runRestoreCommand(['--in', file], refused.io)).toBe(1);
    expect(refused.err.join('\n')).toMatch(/restore: database "restored_\w+" is not empty \(.*messages.*\): restore into an empty database, or pass --force/);

    const forced = io(restoredUri());
    expect(await runRestoreCommand(['--in', file, '--force'], forced.io)).toBe(0);
    const connection = await createConnection(restoredUri()).asPromise();
    try {
      // The message written after the first restore is gone: the backup's 8 are back.
      expect(await connection.db!.collection('messages').countDocuments()).toBe(8);
      expect(await connection.db!.collection('event_log').countDocuments()).toBe(0);
    } finally {
      await connection.close();
    }
  });

  it('refuses an unknown format version, a foreign file and a truncated one, changing nothing', async () => {
    const lines = gunzipSync(readFileSync(join(folder, 'zapdesk.ndjson.gz'))).toString('utf8').split('\n');
    const empty = withDatabaseName(process.env.ZAPDESK_TEST_MONGODB_URI!, testDatabaseName('never_written'));
    const attempt = async (name: string, content: Buffer) => {
      const file = join(folder, name);
      writeFileSync(file, content);
      const run = io(empty);
      const code = await runRestoreCommand(['--in', file], run.io);
      return { code, err: run.err.join('\n') };
    };
    const header = JSON.parse(lines[0]!) as Record<string, unknown>;
    const future = [JSON.stringify({ ...header, version: 99 }), ...lines.slice(1)].join('\n');
    expect(await attempt('future.ndjson.gz', gzipSync(future))).toEqual({ code: 1, err: 'restore: backup format version 99 is not supported: this Zapdesk reads version 1' });
    expect(await attempt('plain.json', Buffer.from('{"hello":"world"}\n'))).toEqual({ code: 1, err: expect.stringContaining('is not a Zapdesk backup (not gzip data)') });
    expect(await attempt('other.ndjson.gz', gzipSync('{"format":"something-else"}\n'))).toEqual({ code: 1, err: 'restore: not a Zapdesk backup: the header\'s format is not "zapdesk-backup"' });
    const truncated = lines.filter((line) => line !== '').slice(0, -1).join('\n');
    expect(await attempt('truncated.ndjson.gz', gzipSync(truncated))).toEqual({ code: 1, err: expect.stringContaining('is truncated: it has no end marker') });
    const connection = await createConnection(empty).asPromise();
    try {
      expect(await connection.db!.listCollections().toArray()).toEqual([]);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
