import fc from 'fast-check';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BodyGarbageCollector, exposedYoungGenerationCollection } from '../../../src/interfaces/http/body-garbage-collector';

describe('BodyGarbageCollector (young-generation collections while large bodies stream)', () => {
  it('collects once per step of bytes, whatever the sizes of the pieces and however many bodies share it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 200 }), (step, pieces) => {
        let collections = 0;
        const collector = new BodyGarbageCollector(step, () => (collections += 1));
        let expected = 0;
        let pending = 0;
        for (const bytes of pieces) {
          collector.streamed(bytes);
          pending += bytes;
          if (pending >= step) {
            expected += 1;
            pending = 0;
          }
        }
        expect(collections).toBe(expected);
      }),
    );
  });

  it('does nothing without a collector (node without --expose-gc)', () => {
    const collector = new BodyGarbageCollector(10, undefined);
    expect(collector.active).toBe(false);
    expect(() => collector.streamed(1_000)).not.toThrow();
  });

  it('refuses a step that is not a positive number of bytes', () => {
    expect(() => new BodyGarbageCollector(0, () => undefined)).toThrow(RangeError);
    expect(() => new BodyGarbageCollector(Number.NaN, () => undefined)).toThrow(RangeError);
  });

  it('watches a piped body: the bytes arrive unchanged, back-pressure still holds, and the collections follow the bytes', async () => {
    let collections = 0;
    const collector = new BodyGarbageCollector(64 * 1024, () => (collections += 1));
    const pieces = Array.from({ length: 40 }, (_, index) => Buffer.alloc(16 * 1024, index));
    const body = Readable.from(pieces);
    const received: Buffer[] = [];
    let mostBuffered = 0;
    const slowSink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        received.push(chunk);
        mostBuffered = Math.max(mostBuffered, body.readableLength);
        setImmediate(done);
      },
    });
    collector.watch(body);
    await pipeline(body, slowSink);
    expect(Buffer.concat(received).equals(Buffer.concat(pieces))).toBe(true);
    expect(collections).toBe(10); // 640 kB in steps of 64 kB
    expect(mostBuffered).toBeLessThanOrEqual(body.readableHighWaterMark);
  });

  it('leaves a body alone when inactive (no listener: it does not start flowing)', () => {
    const body = Readable.from([Buffer.from('x')]);
    new BodyGarbageCollector(1, undefined).watch(body);
    expect(body.listenerCount('data')).toBe(0);
    expect(body.readableFlowing).toBeNull();
  });

  describe('the process collector', () => {
    const globals = globalThis as { gc?: unknown };
    const original = globals.gc;
    afterEach(() => {
      globals.gc = original;
    });

    it('is absent when node does not expose gc', () => {
      delete globals.gc;
      expect(exposedYoungGenerationCollection()).toBeUndefined();
    });

    it("asks V8 for a minor (young-generation) collection, synchronously, when node exposes gc", () => {
      const calls: unknown[] = [];
      globals.gc = (options: unknown) => calls.push(options);
      exposedYoungGenerationCollection()!();
      expect(calls).toEqual([{ type: 'minor', execution: 'sync' }]);
    });
  });
});
