import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SseBaselineServer {
  readonly url: string;
  /** Open streams. */
  readonly streamCount: number;
  /** Writes `block` (SSE event text) to every open stream; returns when written. */
  publish(block: string): void;
  close(): Promise<void>;
}

/**
 * The floor for SSE fan-out: raw `node:http` holding its responses in an array and writing
 * the same event text to each, as the service's hub ends up doing, with nothing else (no
 * auth, no framework, no event log). Same headers and opening bytes as sse-channel.
 */
export async function startSseBaselineServer(): Promise<SseBaselineServer> {
  const streams: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith('/events')) {
      res.writeHead(404).end();
      return;
    }
    req.socket.setNoDelay(true);
    res.writeHead(200, { 'Content-Type': 'text/event-stream;charset=UTF-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(':ok\n\n');
    streams.push(res);
    res.on('close', () => {
      const index = streams.indexOf(res);
      if (index >= 0) streams.splice(index, 1);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    get streamCount() {
      return streams.length;
    },
    publish(block) {
      for (const res of streams) res.write(block);
    },
    close: () => {
      for (const res of streams.splice(0)) res.end();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
