import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import jwt from 'jsonwebtoken';
import type { RunningService } from '../infrastructure/bootstrap/start-service';
import { ATTACHMENT_BUCKET } from '../infrastructure/persistence/mongoose/attachments/gridfs-attachment.store';
import { startTwilioEmulator } from '../emulator/twilio-emulator';
import { bodyGarbage } from '../interfaces/http/body-garbage-collector';
import { benchBackend, startBenchDatabase } from './bench-database';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { startBenchService } from './bench-service';
import { integerOption } from './bench-options';
import { COMPANY, connectIntegration, openTickets } from './outbound.bench';

const MB = 1024 * 1024;
/** "A few MB": what one upload may add to the process's resident memory. */
const RSS_BUDGET_MB = 8;
const SAMPLE_EVERY_MS = 5;

interface UploadCase {
  readonly name: string;
  readonly bytes: number;
  readonly expectStatus: number;
}

interface UploadFigures {
  readonly status: number;
  readonly seconds: number;
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  /** Peak RSS until the answer came (the upload itself, without the emulator's download). */
  readonly peakRssUploadMb: number;
  /** Peak of the memory held by Buffers (socket reads, stream chunks) above its level before. */
  readonly peakBuffersGrowthMb: number;
  /** Peak of the V8 heap in use above its level before. */
  readonly peakHeapGrowthMb: number;
  /** Bytes of the file found in GridFS once the request was answered (0 when refused). */
  readonly storedBytes: number;
  readonly gridFsChunksAfter: number;
  readonly gridFsChunksBefore: number;
  /** Bytes the emulator downloaded from the signed URL (accepted case). */
  readonly fetchedBytes: number;
}

/**
 * `npm run bench -- upload`: a reply with one video streamed as multipart/form-data, measured by
 * the peak resident memory (RSS) of the process while it is uploaded and stored in GridFS (the
 * budget), and, when accepted, while the emulator downloads it again at its signed URL (reported:
 * the emulator runs in this process, so that figure counts Twilio's side too). The client streams
 * the body from one reused 64 kB buffer, so the growth is the service's. Run by `npm run bench`,
 * node has --expose-gc as under `npm start`, so the service's BodyGarbageCollector is on. Two uploads: 50 MB (refused at the
 * 16 MB video limit: nothing stored) and 15 MB (accepted, fetched by Twilio's emulator).
 */
export const uploadBenchmark: Benchmark = {
  name: 'upload',
  description: 'attachment upload memory: a 50 MB video refused at the 16 MB limit, and a 15 MB video accepted and fetched',
  async run({ log, args }): Promise<BenchmarkResult> {
    // --gc-every=N (needs node --expose-gc): a full collection every N ms while measuring, so the
    // peaks are live memory only (garbage not yet collected left out); slow, for diagnosis.
    const gcEveryMs = integerOption(args, process.env, { name: 'gc-every', defaultValue: 0, min: 0, max: 10_000 });
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gcEveryMs > 0 && !gc) throw new Error('--gc-every needs node --expose-gc (node --expose-gc dist/cli.js bench upload --gc-every=20)');
    // The first large upload also grows the process's heaps once (V8 frees socket buffers lazily): measured, then repeated.
    const cases: UploadCase[] = [
      { name: '50 MB video (over the 16 MB limit), first', bytes: 50 * MB, expectStatus: 400 },
      { name: '15 MB video (accepted)', bytes: 15 * MB, expectStatus: 202 },
      { name: '50 MB video (over the 16 MB limit), again', bytes: 50 * MB, expectStatus: 400 },
    ];
    const database = await startBenchDatabase(log, benchBackend(args));
    const emulator = await startTwilioEmulator({ senderOnlineDelayMs: 0 });
    let service: RunningService | null = null;
    const lines: string[] = [];
    let correct = true;
    try {
      const started = await startBenchService({ database, emulator, dbName: `bench_upload_${randomBytes(4).toString('hex')}` });
      service = started.service;
      const token = jwt.sign({ sub: 'bench-agent', companyId: COMPANY, role: 'admin' }, started.jwtSecret, { algorithm: 'HS256' });
      const integrationId = await connectIntegration(emulator, started.apiUrl, { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, 80, '+14155550189');
      const ticketIds = await openTickets(service, integrationId, cases.length + 1, 7);
      // Warm-up: the first upload loads code paths and driver buffers that later ones reuse.
      if ((await upload(started.apiUrl, token, ticketIds[cases.length]!, 2 * MB)) !== 202) throw new Error('the warm-up upload was not accepted');
      const warmUpDeadline = Date.now() + 60_000;
      while (emulator.state.fetchedMedia.length === 0 && Date.now() < warmUpDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
      lines.push(
        bodyGarbage.active
          ? 'upload: the service collects its young generation every 2 MB streamed (node --expose-gc, as npm start runs it)'
          : 'upload: node runs without --expose-gc: the service leaves streaming garbage to V8 (not how npm start runs it)',
      );
      if (gcEveryMs > 0) lines.push(`upload: a forced full GC every ${gcEveryMs} ms while measuring: live memory only`);
      for (const [index, uploadCase] of cases.entries()) {
        const figures = await measure(service, emulator.state.fetchedMedia, started.apiUrl, token, ticketIds[index]!, uploadCase, gcEveryMs);
        // The budget is the upload's: the service reading the body and storing it, until its answer.
        // The download that follows is fetched by the emulator, which runs in this process too, so
        // its figure also counts Twilio's side of that download: reported, not judged.
        const growth = figures.peakRssUploadMb - figures.baselineRssMb;
        const withDownload = figures.peakRssMb - figures.baselineRssMb;
        const refusedClean = uploadCase.expectStatus !== 400 || (figures.storedBytes === 0 && figures.gridFsChunksAfter === figures.gridFsChunksBefore);
        const acceptedWhole = uploadCase.expectStatus !== 202 || (figures.storedBytes === uploadCase.bytes && figures.fetchedBytes === uploadCase.bytes);
        const ok = figures.status === uploadCase.expectStatus && refusedClean && acceptedWhole;
        correct &&= ok;
        lines.push(
          `upload ${uploadCase.name}: HTTP ${figures.status} in ${figures.seconds.toFixed(2)} s; RSS ${figures.baselineRssMb.toFixed(1)} MB before, peak until the answer ${figures.peakRssUploadMb.toFixed(1)} MB ` +
            `(+${growth.toFixed(1)} MB; budget ${RSS_BUDGET_MB} MB: ${growth <= RSS_BUDGET_MB ? 'met' : 'MISSED'})` +
            `${uploadCase.expectStatus === 202 ? `; with the emulator's download (in this process) +${withDownload.toFixed(1)} MB` : ''}; ` +
            `Buffers peak +${figures.peakBuffersGrowthMb.toFixed(1)} MB; V8 heap peak +${figures.peakHeapGrowthMb.toFixed(1)} MB; ` +
            `stored ${(figures.storedBytes / MB).toFixed(1)} MB, GridFS chunks ${figures.gridFsChunksBefore} -> ${figures.gridFsChunksAfter}` +
            `${uploadCase.expectStatus === 202 ? `; fetched by the emulator ${(figures.fetchedBytes / MB).toFixed(1)} MB` : ''}${ok ? '' : ' — INCORRECT'}`,
        );
      }
    } finally {
      if (service) {
        await service.connection.dropDatabase().catch(() => undefined);
        await service.close();
      }
      await emulator.close();
      await database.stop();
    }
    return { lines, correct };
  },
};

async function measure(
  service: RunningService,
  fetched: ReadonlyArray<{ bytes: number; url: string }>,
  apiUrl: string,
  token: string,
  ticketId: string,
  uploadCase: UploadCase,
  gcEveryMs: number,
): Promise<UploadFigures> {
  const db = service.connection.db!;
  const chunks = db.collection(`${ATTACHMENT_BUCKET}.chunks`);
  const files = db.collection(`${ATTACHMENT_BUCKET}.files`);
  const gridFsChunksBefore = await chunks.countDocuments();
  const filesBefore = await files.countDocuments();
  const fetchedBefore = fetched.length;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = process.memoryUsage();
  const baseline = before.rss;
  let peak = baseline;
  let peakBuffers = before.arrayBuffers;
  let peakHeap = before.heapUsed;
  let lastGcAt = performance.now();
  const sampler = setInterval(() => {
    if (gcEveryMs > 0 && performance.now() - lastGcAt >= gcEveryMs) {
      gc!();
      lastGcAt = performance.now();
    }
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakBuffers = Math.max(peakBuffers, usage.arrayBuffers);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, SAMPLE_EVERY_MS);
  const startedAt = performance.now();
  try {
    const status = await upload(apiUrl, token, ticketId, uploadCase.bytes);
    const seconds = (performance.now() - startedAt) / 1000;
    const peakUpload = Math.max(peak, process.memoryUsage().rss);
    // Accepted: wait for Twilio's (the emulator's) download of the signed URL, reported apart.
    const deadline = Date.now() + 120_000;
    if (status === 202) while (fetched.length === fetchedBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    peak = Math.max(peak, process.memoryUsage().rss);
    const newFiles = await files.find({}, { skip: filesBefore }).toArray();
    return {
      status,
      seconds,
      baselineRssMb: baseline / MB,
      peakRssMb: peak / MB,
      peakRssUploadMb: peakUpload / MB,
      peakBuffersGrowthMb: (peakBuffers - before.arrayBuffers) / MB,
      peakHeapGrowthMb: (peakHeap - before.heapUsed) / MB,
      storedBytes: newFiles.reduce((sum, file) => sum + Number(file.length), 0),
      gridFsChunksBefore,
      gridFsChunksAfter: await chunks.countDocuments(),
      fetchedBytes: fetched.slice(fetchedBefore).reduce((sum, log) => sum + log.bytes, 0),
    };
  } finally {
    clearInterval(sampler);
  }
}

/** POSTs a multipart reply with one `video/mp4` of `bytes`, streamed from one reused buffer; resolves with the status. */
function upload(apiUrl: string, token: string, ticketId: string, bytes: number): Promise<number> {
  const boundary = `zapdesk-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nbench\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="bench.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const block = randomBytes(64 * 1024);
  return new Promise((resolve, reject) => {
    const req = request(`${apiUrl}/tickets/${ticketId}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + bytes + tail.length },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    let sent = 0;
    const writeMore = (): void => {
      while (sent < bytes) {
        const slice = block.subarray(0, Math.min(block.length, bytes - sent));
        sent += slice.length;
        if (!req.write(slice)) return void req.once('drain', writeMore);
      }
      req.end(tail);
    };
    req.write(head);
    writeMore();
  });
}
