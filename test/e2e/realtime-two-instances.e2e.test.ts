import { connectSse, SseConnection } from '../support/e2e/sse-client';
import { startTestService, TestService } from '../support/e2e/test-service';
import { connectExistingNumber } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

// Two service instances on one database (this file's), like two replicas behind a load balancer.
let a: TestService;
let b: TestService;
const open: SseConnection[] = [];

beforeAll(async () => {
  a = await startTestService();
  b = await startTestService({ sharedEmulator: a.emulator });
});
afterAll(async () => {
  for (const connection of open) connection.close();
  await b.close();
  await a.service.connection.dropDatabase();
  await a.close();
});

async function sse(t: TestService, companyId: string, lastEventId?: string) {
  const connection = await connectSse(t.service.url, { token: t.token(companyId, 'admin'), ...(lastEventId ? { lastEventId } : {}) });
  open.push(connection);
  expect(connection.status).toBe(200);
  return connection;
}

let numberSeq = 0;
async function createExisting(t: TestService, companyId: string): Promise<string> {
  const line = await connectExistingNumber(t, companyId, `+1415557${String(1000 + numberSeq++).padStart(4, '0')}`);
  return line.integrationId;
}

describe('real-time across two instances on one database', () => {
  it('a client on instance A receives the events of commands handled by instance B, and vice versa', async () => {
    const onA = await sse(a, 'acme');
    const onB = await sse(b, 'acme');
    const viaB = await createExisting(b, 'acme');
    const [first] = await onA.waitForEvents(1, 'integration.updated');
    expect(first!.data).toMatchObject({ id: viaB, companyId: 'acme' });
    const viaA = await createExisting(a, 'acme');
    await onB.waitForEvents(2, 'integration.updated');
    expect(onB.events.map((e) => (e.data as { id: string }).id)).toEqual([viaB, viaA]);
  });

  it('concurrent commands on both instances: every client sees the same gap-free sequence', async () => {
    const onA = await sse(a, 'globex');
    const onB = await sse(b, 'globex');
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => createExisting(i % 2 === 0 ? a : b, 'globex')));
    const seenA = await onA.waitForEvents(6);
    const seenB = await onB.waitForEvents(6);
    expect(seenA.map((e) => e.id)).toEqual(seenB.map((e) => e.id));
    expect(new Set(seenA.map((e) => (e.data as { id: string }).id))).toEqual(new Set(ids));
    const seqs = seenA.map((e) => Number(e.id));
    // Only this company appended meanwhile: its entries are consecutive.
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('a client moving from instance B to instance A resumes with Last-Event-ID without loss', async () => {
    const onB = await sse(b, 'initech');
    await createExisting(b, 'initech');
    const [seen] = await onB.waitForEvents(1);
    onB.close();
    const missed = [await createExisting(b, 'initech'), await createExisting(a, 'initech')];
    const onA = await sse(a, 'initech', seen!.id!);
    const replayed = await onA.waitForEvents(2);
    expect(replayed.map((e) => (e.data as { id: string }).id)).toEqual(missed);
  });

  it('closing an instance ends its open streams', async () => {
    const extra = await startTestService({ sharedEmulator: a.emulator });
    const stream = await sse(extra, 'acme');
    await extra.close();
    await stream.ended();
  });
});
