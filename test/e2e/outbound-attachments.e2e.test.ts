import { createHash, randomBytes } from 'node:crypto';
import { mongo } from 'mongoose';
import { HmacMediaUrlSigner } from '../../src/infrastructure/crypto/hmac-media-url-signer';
import { TEST_JWT_SECRET } from '../support/e2e/test-service';
import { connectExistingNumber, customerWrites, eventually, sendsTo, startOutboundService, ConnectedNumber, OpenTicket, TestService } from './outbound-support';

jest.setTimeout(120_000);

let t: TestService;
let acme: ConnectedNumber;
const db = () => t.service.connection.db!;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const bearer = () => `Bearer ${t.token('acme', 'agent', 'agent-ana')}`;
const gridFsCounts = async () => ({
  files: await db().collection('attachments.files').countDocuments(),
  chunks: await db().collection('attachments.chunks').countDocuments(),
});

beforeAll(async () => {
  t = await startOutboundService({ emulator: { messageLifecycle: { stepDelayMs: 40 } } });
  acme = await connectExistingNumber(t, 'acme', '+14155554201');
});
afterAll(async () => {
  await db().dropDatabase();
  await t.close();
});

interface Upload {
  readonly name: string;
  readonly type: string;
  readonly data: Buffer;
}

function sendFiles(ticket: OpenTicket, files: readonly Upload[], caption?: string) {
  let request = t.http.post(`/tickets/${ticket.ticketId}/messages`).set('Authorization', bearer());
  if (caption !== undefined) request = request.field('caption', caption);
  for (const file of files) request = request.attach('files', file.data, { filename: file.name, contentType: file.type });
  return request;
}

const replyItem = async (ticketId: string, id: string) =>
  ((await t.http.get(`/tickets/${ticketId}/messages`).set('Authorization', bearer())).body.items as Array<Record<string, unknown>>).find((item) => item.id === id);

describe('replies with attachments', () => {
  it('sends a PDF and two images with a caption: one message each, fetched once by Twilio with the right bytes, one reply that reaches delivered', async () => {
    const ticket = await customerWrites(t, acme, '+5511962000001');
    const files: Upload[] = [
      { name: 'nota.pdf', type: 'application/pdf', data: randomBytes(700 * 1024) },
      { name: 'foto1.jpg', type: 'image/jpeg', data: randomBytes(300 * 1024) },
      { name: 'foto2.png', type: 'image/png', data: randomBytes(1024 * 1024 + 5) },
    ];
    const answer = await sendFiles(ticket, files, 'Segue a nota e as fotos');
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'queued', body: 'Segue a nota e as fotos' });
    expect(answer.body.parts).toHaveLength(3);
    expect(answer.body.media.map((item: { contentType: string }) => item.contentType)).toEqual(files.map((file) => file.type));

    const delivered = await eventually(async () => {
      const item = await replyItem(ticket.ticketId, answer.body.id);
      return item?.status === 'delivered' ? item : undefined;
    }, 30_000);
    expect((delivered.parts as Array<{ status: string }>).map((part) => part.status)).toEqual(['delivered', 'delivered', 'delivered']);

    // One Twilio message per file, in order, the caption on the first.
    const sends = sendsTo(t, ticket.contact);
    expect(sends.map((send) => send.body ?? '')).toEqual(['Segue a nota e as fotos', '', '']);
    const sids = (delivered.parts as Array<{ twilioSid: string }>).map((part) => part.twilioSid);
    const fetched = sids.map((sid) => t.emulator.state.fetchedMedia.filter((log) => log.messageSid === sid));
    expect(fetched.map((logs) => logs.length)).toEqual([1, 1, 1]);
    expect(fetched.map(([log]) => [log!.status, log!.contentType, log!.bytes, log!.sha256])).toEqual(files.map((file) => [200, file.type, file.data.length, sha256(file.data)]));
    // The URLs Twilio got are Zapdesk's signed public URLs.
    for (const [log] of fetched) expect(log!.url).toMatch(/\/media\/[0-9a-f]{24}\/\d+\/[A-Za-z0-9_-]{43}$/);

    // Agents read them back through the authenticated media route.
    const media = delivered.media as Array<{ url: string; contentType: string }>;
    for (const [index, item] of media.entries()) {
      const got = await t.http.get(item.url).set('Authorization', bearer()).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe(files[index]!.type);
      expect(sha256(got.body as Buffer)).toBe(sha256(files[index]!.data));
    }
    expect((await t.http.get(media[0]!.url)).status).toBe(401);
  });

  it('answers 404, saying nothing, for an altered or expired media URL', async () => {
    const fetchedUrl = t.emulator.state.fetchedMedia[0]!.url;
    const path = new URL(fetchedUrl).pathname;
    expect((await t.http.get(path)).status).toBe(200);
    const [, , id, expires, signature] = path.split('/') as [string, string, string, string, string];
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const altered = [
      `/media/${id}/${expires}/${flipped}`,
      `/media/${id}/${Number(expires) + 3600}/${signature}`,
      `/media/${'0'.repeat(24)}/${expires}/${signature}`,
      `/media/${id}/${expires}/short`,
    ];
    for (const url of altered) {
      const answer = await t.http.get(url);
      expect(answer.status).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain(id);
    }
    // Correctly signed by the service's key, but its time is over.
    const pastClock = { now: () => new Date(Date.now() - 2 * 60 * 60 * 1000) };
    const expired = new HmacMediaUrlSigner(TEST_JWT_SECRET, '', pastClock, 60 * 60 * 1000).publicUrl(id);
    expect((await t.http.get(expired)).status).toBe(404);
    const valid = new HmacMediaUrlSigner(TEST_JWT_SECRET, '', { now: () => new Date() }, 60 * 60 * 1000).publicUrl(id);
    expect((await t.http.get(valid)).status).toBe(200);
  });

  it('refuses a 20 MB video and an .exe up front with a 400 naming the limit, storing nothing', async () => {
    const ticket = await customerWrites(t, acme, '+5511962000002');
    const before = await gridFsCounts();
    const messagesBefore = await db().collection('messages').countDocuments({ ticketId: ticket.ticketId });

    const video = await sendFiles(ticket, [{ name: 'video.mp4', type: 'video/mp4', data: Buffer.alloc(20 * 1024 * 1024, 7) }], 'o vídeo');
    expect(video.status).toBe(400);
    expect(video.body.error.message).toContain('larger than 16 MB, the limit for a video');

    const exe = await sendFiles(ticket, [
      { name: 'nota.pdf', type: 'application/pdf', data: randomBytes(10_000) },
      { name: 'setup.exe', type: 'application/x-msdownload', data: randomBytes(10_000) },
    ]);
    expect(exe.status).toBe(400);
    expect(exe.body.error.message).toContain('"setup.exe" is application/x-msdownload, which WhatsApp does not take');

    const image = await sendFiles(ticket, [{ name: 'big.jpg', type: 'image/jpeg', data: Buffer.alloc(5 * 1024 * 1024 + 1, 1) }]);
    expect(image.status).toBe(400);
    expect(image.body.error.message).toContain('larger than 5 MB, the limit for an image');

    expect(await gridFsCounts()).toEqual(before);
    expect(await db().collection('messages').countDocuments({ ticketId: ticket.ticketId })).toBe(messagesBefore);
    expect(sendsTo(t, ticket.contact)).toHaveLength(0);
  });

  it('sends files uploaded first (JSON reply with attachment ids); a file Twilio cannot fetch fails its part with 63019', async () => {
    const ticket = await customerWrites(t, acme, '+5511962000003');
    const upload = await t.http
      .post(`/tickets/${ticket.ticketId}/attachments`)
      .set('Authorization', bearer())
      .attach('files', Buffer.from('olá, texto'), { filename: 'leia.txt', contentType: 'text/plain' })
      .attach('files', randomBytes(2000), { filename: 'audio.ogg', contentType: 'audio/ogg' });
    expect(upload.status).toBe(201);
    expect(upload.body.items).toMatchObject([
      { filename: 'leia.txt', contentType: 'text/plain', size: 10 + 1 },
      { filename: 'audio.ogg', contentType: 'audio/ogg', size: 2000 },
    ]);
    const ids = (upload.body.items as Array<{ id: string }>).map((item) => item.id);
    // The second file's bytes are lost before it is sent: Twilio's download breaks off.
    await db().collection('attachments.chunks').deleteMany({ files_id: new mongo.ObjectId(ids[1]!) });

    const answer = await t.http.post(`/tickets/${ticket.ticketId}/messages`).set('Authorization', bearer()).send({ attachments: ids, caption: 'Leia' });
    expect(answer.status).toBe(202);
    const failed = await eventually(async () => {
      const item = await replyItem(ticket.ticketId, answer.body.id);
      const parts = item?.parts as Array<{ status: string }> | undefined;
      return parts?.[0]?.status === 'delivered' && parts[1]?.status === 'failed' ? item : undefined;
    }, 30_000);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 63019 } });
    expect(sendsTo(t, ticket.contact).map((send) => send.body ?? '')).toEqual(['Leia', '']);

    // A file of another ticket, an unknown id: refused, nothing sent.
    const other = await customerWrites(t, acme, '+5511962000004');
    const crossTicket = await t.http.post(`/tickets/${other.ticketId}/messages`).set('Authorization', bearer()).send({ attachments: [ids[0]] });
    expect(crossTicket.status).toBe(400);
    const unknown = await t.http.post(`/tickets/${ticket.ticketId}/messages`).set('Authorization', bearer()).send({ attachments: ['0'.repeat(24)] });
    expect(unknown.status).toBe(404);

    const foreign = await t.http.post(`/tickets/${ticket.ticketId}/messages`).set('Authorization', `Bearer ${t.token('globex', 'agent')}`).send({ attachments: [ids[0]] });
    expect(foreign.status).toBe(404);
  });
});
