import type { DeliveryProcessor } from '../../../src/application/delivery/delivery-processor';
import type { DeliveryCandidate } from '../../../src/application/ports/delivery-outbox.port';
import { DeliveryWorker } from '../../../src/infrastructure/workers/delivery-worker';

const candidate = (ticketId: string): DeliveryCandidate =>
  ({ id: `m-${ticketId}`, companyId: 'acme', ticketId, version: 1, status: 'queued', nextAttemptAt: null, leaseExpiresAt: null }) as DeliveryCandidate;

/**
 * A processor whose first search for due work never settles (as one database operation did
 * after an outage) and whose later searches find one ticket each; it records the lanes started.
 */
function processorWithAHungFirstScan() {
  let scans = 0;
  let releaseHungScan: (work: DeliveryCandidate[]) => void = () => undefined;
  const delivered: string[] = [];
  const processor = {
    findWork: (): Promise<DeliveryCandidate[]> => {
      scans += 1;
      if (scans === 1) return new Promise((resolve) => (releaseHungScan = resolve));
      return Promise.resolve(scans === 2 ? [candidate('t-2')] : []);
    },
    deliverTicket: async (first: DeliveryCandidate): Promise<number> => {
      delivered.push(first.ticketId);
      return 0;
    },
  } as unknown as DeliveryProcessor;
  return { processor, delivered, scans: () => scans, releaseHungScan: (work: DeliveryCandidate[]) => releaseHungScan(work) };
}

const waitUntil = async (check: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('DeliveryWorker: a scan that never ends', () => {
  it('is left behind at its deadline, reported, and the next scan delivers', async () => {
    const stand = processorWithAHungFirstScan();
    const errors: string[] = [];
    const worker = new DeliveryWorker(() => stand.processor, { pollIntervalMs: 20, concurrency: 4, scanDeadlineMs: 200 }, (error) => errors.push(String(error)));
    worker.start();
    await waitUntil(() => stand.delivered.includes('t-2'));
    expect(errors.some((message) => message.includes('did not end within 200 ms'))).toBe(true);

    // When the hung scan finally answers, a later scan owns the lanes: it starts none.
    stand.releaseHungScan([candidate('t-late')]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stand.delivered).not.toContain('t-late');
    await worker.stop();
  });

  it('stop does not wait for a hung scan past its deadline', async () => {
    const stand = processorWithAHungFirstScan();
    const worker = new DeliveryWorker(() => stand.processor, { pollIntervalMs: 60_000, concurrency: 4, scanDeadlineMs: 200 }, () => undefined);
    worker.start();
    await waitUntil(() => stand.scans() === 1);
    await worker.stop();
    expect(stand.scans()).toBe(1);
  });

  it('a scan that ends in time starts its lanes as before', async () => {
    let scans = 0;
    const delivered: string[] = [];
    const processor = {
      findWork: async () => ((scans += 1) === 1 ? [candidate('t-1'), candidate('t-3')] : []),
      deliverTicket: async (first: DeliveryCandidate) => {
        delivered.push(first.ticketId);
        return 0;
      },
    } as unknown as DeliveryProcessor;
    const errors: unknown[] = [];
    const worker = new DeliveryWorker(() => processor, { pollIntervalMs: 20, concurrency: 4, scanDeadlineMs: 5_000 }, (error) => errors.push(error));
    worker.start();
    await waitUntil(() => delivered.length === 2);
    await worker.stop();
    expect(delivered.sort()).toEqual(['t-1', 't-3']);
    expect(errors).toEqual([]);
  });
});
