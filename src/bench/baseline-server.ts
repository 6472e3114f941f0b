import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mongo } from 'mongoose';

/** The same empty TwiML the service answers. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const MAX_BODY_BYTES = 64 * 1024;
export const BASELINE_COLLECTION = 'inbound_messages';

export interface BaselineServer {
  readonly url: string;
  /** The baseline's database, to count what it stored. */
  readonly db: mongo.Db;
  close(): Promise<void>;
}

interface BaselineDocument {
  messageSid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  params: Record<string, string>;
  receivedAt: Date;
}

/**
 * The floor to compare the service with: raw node:http, parse the form body, one `insertOne`
 * per message with the MongoDB driver, answer empty TwiML. A unique index on MessageSid makes
 * it as idempotent as a webhook receiver must be (a replay is a duplicate key, answered 200).
 * It checks no signature and keeps no tickets: everything the service does beyond this is
 * what the ratio measures.
 */
export async function startBaselineServer(options: { readonly mongodbUri: string; readonly dbName: string }): Promise<BaselineServer> {
  const client = new mongo.MongoClient(options.mongodbUri, { maxPoolSize: 50, serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(options.dbName);
  const collection = db.collection<BaselineDocument>(BASELINE_COLLECTION);
  await collection.createIndex({ messageSid: 1 }, { unique: true, name: 'baseline_message_sid_unique' });

  const server = createServer((req, res) => {
    handle(req, res, collection).catch(() => answer(res, 503, 'text/plain', 'unavailable'));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    close: async () => {
      await closeServer(server);
      await client.close();
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, collection: mongo.Collection<BaselineDocument>): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/ticket-messages/webhook') return answer(res, 404, 'text/plain', 'not found');
  const raw = await readBody(req);
  if (raw === undefined) return answer(res, 413, 'text/plain', 'body too large');
  const params = Object.fromEntries(new URLSearchParams(raw));
  const messageSid = params['MessageSid'];
  if (!messageSid) return answer(res, 400, 'text/plain', 'MessageSid missing');
  try {
    await collection.insertOne({
      messageSid,
      accountSid: params['AccountSid'] ?? '',
      from: params['From'] ?? '',
      to: params['To'] ?? '',
      body: params['Body'] ?? '',
      params,
      receivedAt: new Date(),
    });
  } catch (error) {
    if (!(error instanceof mongo.MongoServerError && error.code === 11000)) throw error;
  }
  answer(res, 200, 'text/xml', EMPTY_TWIML);
}

/** The body as text, or undefined when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
