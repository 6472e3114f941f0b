import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import { AttachmentUploads } from '../../../src/application/message/attachments/attachment-uploads';
import { ATTACHMENT_BUCKET, GridFsAttachmentStore } from '../../../src/infrastructure/persistence/mongoose/attachments/gridfs-attachment.store';
import { receiveMultipart, type ReceivedUpload } from '../../../src/interfaces/http/attachments/multipart-files';
import { BodyGarbageCollector } from '../../../src/interfaces/http/body-garbage-collector';
import { connectTestDatabase, type TestDatabase } from '../../support/database/test-database';

const MB = 1024 * 1024;
const STEP = 256 * 1024;
/** Node's largest socket read: a collection comes at most this far past its step. */
const MOST_PER_READ = 64 * 1024;

/**
 * Uploads read with the young-generation collections on (as under `npm start`, node
 * --expose-gc; jest runs without, so here a counting collector stands in for V8's): the files
 * reach GridFS byte for byte, a refused one leaves nothing, and the collections follow the bytes
 * streamed, the part read and thrown away after a refusal included.
 */
describe('multipart uploads with the body garbage collector on', () => {
  let database: TestDatabase;
  let store: GridFsAttachmentStore;
  let server: Server;
  let url: string;
  let collections = 0;
  let lastResult: Promise<ReceivedUpload> | null = null;

  beforeAll(async () => {
    database = await connectTestDatabase();
    store = new GridFsAttachmentStore(database.connection);
    // Only the file rules and the store are used here: no ticket or integration is read.
    const uploads = new AttachmentUploads(store, null as never, null as never, null as never);
    const garbage = new BodyGarbageCollector(STEP, () => (collections += 1));
    server = createServer((req: IncomingMessage, res) => {
      lastResult = receiveMultipart(req as Request, uploads, { companyId: 'acme', ticketId: 't-1', uploadedBy: 'agent-1' }, ['caption'], garbage);
      lastResult.then(
        () => res.writeHead(201).end(),
        (error: Error) => res.writeHead(400).end(error.message),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await database.dropAndClose();
  });

  const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

  async function readBack(id: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of store.openStream(id)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async function send(form: FormData): Promise<{ status: number; text: string; requestBytes: number }> {
    const request = new Request(url, { method: 'POST', body: form });
    const requestBytes = (await request.clone().arrayBuffer()).byteLength;
    const response = await fetch(request);
    return { status: response.status, text: await response.text(), requestBytes };
  }

  it('stores each file whole and collects along the way', async () => {
    collections = 0;
    const pdf = randomBytes(3 * MB + 11);
    const png = randomBytes(600 * 1024);
    const form = new FormData();
    form.append('caption', 'Segue a nota');
    form.append('files', new Blob([pdf], { type: 'application/pdf' }), 'nota.pdf');
    form.append('files', new Blob([png], { type: 'image/png' }), 'foto.png');

    const { status, requestBytes } = await send(form);
    expect(status).toBe(201);
    const received = await lastResult!;
    expect(received.fields).toEqual({ caption: 'Segue a nota' });
    expect(received.stored.map((file) => [file.filename, file.contentType, file.size])).toEqual([
      ['nota.pdf', 'application/pdf', pdf.length],
      ['foto.png', 'image/png', png.length],
    ]);
    expect(sha256(await readBack(received.stored[0]!.id))).toBe(sha256(pdf));
    expect(sha256(await readBack(received.stored[1]!.id))).toBe(sha256(png));
    // Counted: the request as it is read, and the files once more on their way into the store.
    const counted = requestBytes + pdf.length + png.length;
    expect(collections).toBeLessThanOrEqual(Math.floor(counted / STEP));
    expect(collections).toBeGreaterThanOrEqual(Math.floor(counted / (STEP + MOST_PER_READ)) - 2);
  });

  it('refuses an image over 5 MB, keeps nothing of it, and still collects while the rest is thrown away', async () => {
    collections = 0;
    const chunks = database.connection.db!.collection(`${ATTACHMENT_BUCKET}.chunks`);
    const files = database.connection.db!.collection(`${ATTACHMENT_BUCKET}.files`);
    const chunksBefore = await chunks.countDocuments();
    const filesBefore = await files.countDocuments();
    const form = new FormData();
    form.append('files', new Blob([randomBytes(12 * MB)], { type: 'image/jpeg' }), 'huge.jpg');

    const { status, text, requestBytes } = await send(form);
    expect(status).toBe(400);
    expect(text).toMatch(/5 MB|5242880/);
    await expect(lastResult).rejects.toThrow();
    expect(await chunks.countDocuments()).toBe(chunksBefore);
    expect(await files.countDocuments()).toBe(filesBefore);
    // The whole request was read (the 400 reaches the client), every byte of it counted.
    expect(collections).toBeGreaterThanOrEqual(Math.floor(requestBytes / (STEP + MOST_PER_READ)) - 2);
  });
});
