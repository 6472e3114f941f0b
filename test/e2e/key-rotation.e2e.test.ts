import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startTwilioEmulator, TwilioEmulator } from '../../src/emulator/twilio-emulator';
import { rotateEncryptionKey } from '../../src/infrastructure/operations/encryption-key-rotation';
import { AuthToken } from '../../src/domain/integration/auth-token';
import { operationsCipher } from '../../src/infrastructure/operations/operations-keyring';
import { testDatabaseUri } from '../support/database/test-database';
import { startTestService, TestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber, filed, postSigned } from '../support/e2e/whatsapp-fixtures';

/**
 * `npm run rotate-key` while the service serves: integrations created under key "old"; the
 * service restarted with keyring old+new and "new" active (the documented procedure); then the
 * rotation runs while signed webhooks keep arriving and admins edit integrations. Afterwards
 * every token is under "new", every integration validates and verifies Twilio's signatures.
 */

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '../..');
const OLD_KEY = `old:${randomBytes(32).toString('base64')}`;
const NEW_KEY = `new:${randomBytes(32).toString('base64')}`;
const BOTH_KEYS = { ENCRYPTION_KEYS: `${OLD_KEY},${NEW_KEY}`, ENCRYPTION_KEY_ID: 'new' };
const WEBHOOK = '/ticket-messages/webhook';
const INTEGRATIONS = 16;

let emulator: TwilioEmulator;
let t: TestService;
const numbers: ConnectedNumber[] = [];

const integrations = () => t.service.connection.db!.collection<{ _id: string; authToken: { keyId: string; ciphertext: string } | null; version: number }>('integrations');
const keyIds = async () => (await integrations().find({}).toArray()).map((doc) => doc.authToken?.keyId);

beforeAll(async () => {
  emulator = await startTwilioEmulator({ senderOnlineDelayMs: 50 });
  const before = await startTestService({ sharedEmulator: emulator, env: { ENCRYPTION_KEYS: OLD_KEY } });
  for (let i = 0; i < INTEGRATIONS; i++) numbers.push(await connectExistingNumber(before, `company-${i % 4}`, `+1415555${String(3000 + i)}`));
  await before.close();
  t = await startTestService({ sharedEmulator: emulator, env: BOTH_KEYS });
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
  await emulator.close();
});

async function everyIntegrationWorks(): Promise<void> {
  for (const number of numbers) {
    const validated = await t.http.post(`/integrations/${number.integrationId}/validate`).set('Authorization', `Bearer ${t.token(number.companyId, 'admin')}`);
    expect({ id: number.integrationId, status: validated.status, state: validated.body.status }).toEqual({ id: number.integrationId, status: 200, state: 'active' });
    const params = t.emulator.buildInboundParams({ to: number.number, from: '+5511970000000', accountSid: number.accountSid, body: 'still there?' });
    expect((await postSigned(t, WEBHOOK, params, { authToken: number.authToken })).status).toBe(200);
  }
}

describe('rotate-key', () => {
  it('re-encrypts every token under the active key while signed webhooks arrive and admins edit', async () => {
    expect(new Set(await keyIds())).toEqual(new Set(['old']));
    let traffic = true;
    const answers: number[] = [];
    const edits: number[] = [];
    const webhooks = (async () => {
      for (let round = 0; traffic || round < 2; round++) {
        await Promise.all(
          numbers.map(async (number, i) => {
            const params = t.emulator.buildInboundParams({ to: number.number, from: `+55119700${String(i).padStart(5, '0')}`, accountSid: number.accountSid, body: `round ${round}` });
            answers.push((await postSigned(t, WEBHOOK, params, { authToken: number.authToken })).status);
          }),
        );
      }
    })();
    // Admin writes of the same documents: each one either lands or meets a conflict, never a lost token.
    const editing = (async () => {
      for (let round = 0; traffic || round < 1; round++) {
        for (const number of numbers.slice(0, 6)) {
          const patched = await t.http.patch(`/integrations/${number.integrationId}`).set('Authorization', `Bearer ${t.token(number.companyId, 'admin')}`).send({ friendlyName: `Desk ${round}` });
          edits.push(patched.status);
        }
      }
    })();
    const progress: number[] = [];
    const result = await rotateEncryptionKey({ connection: t.service.connection, cipher: operationsCipher(BOTH_KEYS), progressEvery: 1, progress: (p) => progress.push(p.checked) });
    traffic = false;
    await Promise.all([webhooks, editing]);
    await filed(t);

    expect(result).toMatchObject({ total: INTEGRATIONS, checked: INTEGRATIONS, reEncrypted: INTEGRATIONS, alreadyCurrent: 0, failed: 0, failures: [] });
    expect(progress.at(-1)).toBe(INTEGRATIONS);
    expect(answers.length).toBeGreaterThanOrEqual(2 * INTEGRATIONS);
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    expect(edits.filter((status) => status !== 200 && status !== 409)).toEqual([]);
    expect(new Set(await keyIds())).toEqual(new Set(['new']));
    await everyIntegrationWorks();

    // Running it again finds nothing to do.
    const again = await rotateEncryptionKey({ connection: t.service.connection, cipher: operationsCipher(BOTH_KEYS) });
    expect(again).toMatchObject({ reEncrypted: 0, alreadyCurrent: INTEGRATIONS, failed: 0 });
    for (const number of numbers) expect(t.logs()).not.toContain(number.authToken);
  });

  it('an interrupted rotation leaves every token readable, and running it again finishes it', async () => {
    // Back to "old" for this round: the same procedure, the other way.
    const backToOld = { ...BOTH_KEYS, ENCRYPTION_KEY_ID: 'old' };
    const crash = new Error('killed midway');
    await expect(
      rotateEncryptionKey({
        connection: t.service.connection,
        cipher: operationsCipher(backToOld),
        progressEvery: 1,
        progress: (p) => {
          if (p.checked === 5) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    const mixed = await keyIds();
    expect(mixed.filter((id) => id === 'old')).toHaveLength(5);
    expect(mixed.filter((id) => id === 'new')).toHaveLength(INTEGRATIONS - 5);
    await everyIntegrationWorks();

    const resumed = await rotateEncryptionKey({ connection: t.service.connection, cipher: operationsCipher(backToOld) });
    expect(resumed).toMatchObject({ reEncrypted: INTEGRATIONS - 5, alreadyCurrent: 5, failed: 0 });
    expect(new Set(await keyIds())).toEqual(new Set(['old']));
    await everyIntegrationWorks();
  });

  it('a token rotation under way keeps its pending token readable: it moves to the active key with the token', async () => {
    const underOld = operationsCipher({ ...BOTH_KEYS, ENCRYPTION_KEY_ID: 'old' });
    const underNew = operationsCipher(BOTH_KEYS);
    const pendingToken = AuthToken.of(randomBytes(16).toString('hex'));
    const target = numbers[0]!.integrationId;
    // As a token rotation leaves it between creating Twilio's secondary token and promoting it.
    const pending = underOld.encrypt(pendingToken);
    const docs = t.service.connection.db!.collection<{ _id: string; authToken: unknown; operations: unknown; version: number }>('integrations');
    const before = (await docs.findOne({ _id: target }))!;
    await docs.updateOne({ _id: target }, { $set: { authToken: underOld.encrypt(underNew.decrypt(before.authToken as never)), operations: { ...(before.operations as object), pendingAuthToken: pending } }, $inc: { version: 1 } });

    const result = await rotateEncryptionKey({ connection: t.service.connection, cipher: underNew });
    expect(result.failed).toBe(0);
    const after = (await docs.findOne({ _id: target })) as unknown as { authToken: { keyId: string }; operations: { pendingAuthToken: { keyId: string; ciphertext: string } } };
    expect(after.authToken.keyId).toBe('new');
    expect(after.operations.pendingAuthToken.keyId).toBe('new');
    expect(underNew.decrypt(after.operations.pendingAuthToken).equals(pendingToken)).toBe(true);
    await docs.updateOne({ _id: target }, { $set: { 'operations.pendingAuthToken': null }, $inc: { version: 1 } });
    // Leave every token under "old", as the round before left them.
    expect((await rotateEncryptionKey({ connection: t.service.connection, cipher: underOld })).failed).toBe(0);
  });

  it('npm run rotate-key: counts on stdout, progress on stderr, failures named by key id, exit code', () => {
    const run = (env: Record<string, string>) => {
      const clean: NodeJS.ProcessEnv = { ...process.env, MONGODB_URI: testDatabaseUri(), ...env };
      delete clean.NODE_ENV;
      return spawnSync('npm', ['run', '-s', 'rotate-key'], { cwd: ROOT, env: clean, encoding: 'utf8', timeout: 200_000 });
    };
    const rotated = run(BOTH_KEYS);
    expect({ status: rotated.status, stdout: rotated.stdout.trim() }).toEqual({ status: 0, stdout: `re-encrypted ${INTEGRATIONS}, already current 0, failed 0` });
    expect(rotated.stderr).toContain(`rotate-key: ${INTEGRATIONS}/${INTEGRATIONS} checked (re-encrypted ${INTEGRATIONS}, already current 0, failed 0)`);

    const again = run(BOTH_KEYS);
    expect({ status: again.status, stdout: again.stdout.trim() }).toEqual({ status: 0, stdout: `re-encrypted 0, already current ${INTEGRATIONS}, failed 0` });

    // A keyring without the key the tokens are under: every one fails, named by key id only.
    const third = `third:${randomBytes(32).toString('base64')}`;
    const missing = run({ ENCRYPTION_KEYS: `${OLD_KEY},${third}`, ENCRYPTION_KEY_ID: 'third' });
    expect({ status: missing.status, stdout: missing.stdout.trim() }).toEqual({ status: 1, stdout: `re-encrypted 0, already current 0, failed ${INTEGRATIONS}` });
    expect(missing.stderr).toContain(`integration ${numbers[0]!.integrationId} failed: its key "new" is not in ENCRYPTION_KEYS`);
    for (const output of [rotated, again, missing]) {
      for (const secret of [OLD_KEY, NEW_KEY, third].map((entry) => entry.split(':')[1]!)) expect(output.stdout + output.stderr).not.toContain(secret);
      for (const number of numbers) expect(output.stdout + output.stderr).not.toContain(number.authToken);
    }

    const bad = run({ ...BOTH_KEYS, ENCRYPTION_KEY_ID: 'nope' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('ENCRYPTION_KEY_ID "nope" is not in ENCRYPTION_KEYS');
  });
});
