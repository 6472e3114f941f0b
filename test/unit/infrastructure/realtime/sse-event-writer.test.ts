import { createServer, get, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import { directSocketOf, encodeSseEvent, writeSseEvent, type SseStream } from '../../../../src/infrastructure/realtime/sse-event-writer';

/** An Express app (as the service serves GET /events) holding every stream it opens. */
async function startStreams(): Promise<{ server: Server; port: number; streams: ServerResponse[] }> {
  const streams: ServerResponse[] = [];
  const app = express();
  app.get('/events', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write(':ok\n\n');
    streams.push(res);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, streams };
}

/** Reads a whole HTTP/1.1 response body (the client's parser undoes the chunked framing, and fails on a bad one). */
function readBody(port: number): { opened: Promise<void>; body: Promise<string> } {
  let opened!: () => void;
  const openedPromise = new Promise<void>((resolve) => (opened = resolve));
  const body = new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        opened();
      });
      res.on('end', () => resolve(text));
      res.on('error', reject);
    }).on('error', reject);
  });
  return { opened: openedPromise, body };
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const streamsOf = (responses: readonly ServerResponse[]): SseStream[] => responses.map((res) => ({ res, socket: directSocketOf(res) }));

const event = { id: '42', event: 'message.created', data: '{"id":"m1","body":"Olá"}' };

describe('writeSseEvent', () => {
  it('encodes events as sse-channel does, one data line per line', () => {
    expect(encodeSseEvent(event)).toBe('event: message.created\nid: 42\ndata: {"id":"m1","body":"Olá"}\n\n');
    expect(encodeSseEvent({ id: '1', event: 'x', data: 'a\nb\r\nc' })).toBe('event: x\nid: 1\ndata: a\ndata: b\ndata: c\n\n');
  });

  it('gives every open chunked stream the event, in order with writes through the response, and a clean end', async () => {
    const { server, port, streams } = await startStreams();
    try {
      const clients = [readBody(port), readBody(port)];
      await Promise.all(clients.map((client) => client.opened));
      await waitFor(() => streams.length === 2);
      const open = streamsOf(streams);
      expect(open.every((stream) => stream.socket !== null)).toBe(true);
      streams[0]!.write(': before\n\n');
      writeSseEvent(event, open);
      writeSseEvent({ ...event, id: '43' }, open);
      for (const res of streams) {
        res.write(': after\n\n');
        res.end();
      }
      const bodies = await Promise.all(clients.map((client) => client.body));
      const events = encodeSseEvent(event) + encodeSseEvent({ ...event, id: '43' });
      expect(bodies.sort()).toEqual([`:ok\n\n: before\n\n${events}: after\n\n`, `:ok\n\n${events}: after\n\n`].sort());
    } finally {
      server.close();
    }
  });

  it('writes through the response where the body is not chunked (an HTTP/1.0 client)', async () => {
    const { server, port, streams } = await startStreams();
    try {
      const socket = connect(port, '127.0.0.1');
      let raw = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (raw += chunk));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write('GET /events HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor(() => streams.length === 1 && raw.includes(':ok'));
      expect(streams[0]!.chunkedEncoding).toBe(false);
      const open = streamsOf(streams);
      expect(open[0]!.socket).toBeNull();
      writeSseEvent(event, open);
      streams[0]!.end();
      await closed;
      expect(raw.slice(raw.indexOf('\r\n\r\n') + 4)).toBe(`:ok\n\n${encodeSseEvent(event)}`);
    } finally {
      server.close();
    }
  });

  it('skips an ended stream, whether its socket was taken before or not, and writes nothing for no streams', async () => {
    const { server, port, streams } = await startStreams();
    try {
      const client = readBody(port);
      await client.opened;
      await waitFor(() => streams.length === 1);
      const takenBefore = streamsOf(streams);
      streams[0]!.end();
      expect(directSocketOf(streams[0]!)).toBeNull();
      expect(() => writeSseEvent(event, takenBefore)).not.toThrow();
      expect(() => writeSseEvent(event, streamsOf(streams))).not.toThrow();
      expect(() => writeSseEvent(event, [])).not.toThrow();
      expect(await client.body).toBe(':ok\n\n');
    } finally {
      server.close();
    }
  });
});
