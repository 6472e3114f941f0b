import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CUT_OFF_BY_BUDGET, postWebhooksWithAutocannon } from '../../../src/bench/autocannon-load';
import type { PreparedWebhook } from '../../../src/bench/webhook-client';

/** A receiver that records each request's body and signature, refusing the bodies it is told to. */
async function startReceiver(refuse: ReadonlySet<string>, delayMs = 0): Promise<{ server: Server; url: string; received: Array<{ body: string; signature: string | undefined; path: string | undefined }> }> {
  const received: Array<{ body: string; signature: string | undefined; path: string | undefined }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ body, signature: req.headers['x-twilio-signature'] as string | undefined, path: req.url });
      res.statusCode = refuse.has(body) ? 403 : 200;
      setTimeout(() => res.end('<Response/>'), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ticket-messages/webhook`, received };
}

function webhooks(count: number): PreparedWebhook[] {
  return Array.from({ length: count }, (_, i) => ({ messageSid: `SM${i}`, from: '+15550000000', body: `MessageSid=SM${i}`, signature: `signature-${i}` }));
}

describe('postWebhooksWithAutocannon', () => {
  it('sends every webhook exactly once with its own body and signature, and tells which were acknowledged', async () => {
    const prepared = webhooks(120);
    const receiver = await startReceiver(new Set(['MessageSid=SM7']));
    try {
      const run = await postWebhooksWithAutocannon(receiver.url, prepared, 8);
      expect(receiver.received).toHaveLength(120);
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(120);
      for (const request of receiver.received) {
        expect(request.path).toBe('/ticket-messages/webhook');
        expect(request.signature).toBe(`signature-${request.body.slice('MessageSid=SM'.length)}`);
      }
      expect(run.outcomes).toHaveLength(120);
      expect(run.outcomes[7]).toEqual({ ok: false, failure: 'HTTP 403' });
      expect(run.outcomes.filter((outcome) => outcome.ok)).toHaveLength(119);
      expect(run.latenciesMs).toHaveLength(120);
    } finally {
      receiver.server.close();
    }
  });

  it('uses no more connections than there are webhooks', async () => {
    const receiver = await startReceiver(new Set());
    try {
      const run = await postWebhooksWithAutocannon(receiver.url, webhooks(3), 50);
      expect(run.outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(receiver.received).toHaveLength(3);
    } finally {
      receiver.server.close();
    }
  });

  it('stops sending when the time budget runs out, telling the requests it dropped in flight from refused ones', async () => {
    const receiver = await startReceiver(new Set(), 1000);
    try {
      const run = await postWebhooksWithAutocannon(receiver.url, webhooks(50), 4, { budgetMs: 300 });
      expect(run.outcomes).toHaveLength(4);
      expect(run.outcomes).toEqual(Array.from({ length: 4 }, () => ({ ok: false, failure: CUT_OFF_BY_BUDGET })));
    } finally {
      receiver.server.closeAllConnections();
      receiver.server.close();
    }
  });
});
