import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { DEFAULT_SOCKET_TIMEOUT_MS, openDatabaseConnection, uriSetsSocketTimeout } from '../../../src/infrastructure/persistence/mongoose/connection';
import { testDatabaseUri } from '../../support/database/test-database';

/**
 * A TCP relay in front of the test run's database that can stop passing bytes, as a dropped
 * network path does (nothing is closed, nothing arrives): the case a socket timeout is for.
 */
class SilentableRelay {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  silent = false;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.on('data', (chunk) => !this.silent && upstream.write(chunk));
      upstream.on('data', (chunk) => !this.silent && client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('database connection: a connection that goes silent fails its operation instead of holding it forever', () => {
  let relay: SilentableRelay;
  let relayPort: number;
  let connection: Connection | null = null;

  beforeAll(async () => {
    const target = new URL(testDatabaseUri());
    relay = new SilentableRelay({ host: target.hostname, port: Number(target.port) });
    relayPort = await relay.listen();
  });

  afterEach(async () => {
    relay.silent = false;
    await connection?.close(true).catch(() => undefined);
    connection = null;
  });

  afterAll(async () => {
    await relay.close();
  });

  it('an operation on a silent connection is rejected with a timeout (URI socketTimeoutMS=1500) instead of waiting for ever', async () => {
    // The server monitor's own checks are slowed right down, so only the socket timeout can end
    // the wait. The driver then retries the read once on a new connection, whose handshake the
    // silent relay does not answer either: connectTimeoutMS bounds that one.
    connection = await openDatabaseConnection({
      uri: `mongodb://127.0.0.1:${relayPort}/socket_timeout_check?socketTimeoutMS=1500&connectTimeoutMS=1500&heartbeatFrequencyMS=60000`,
    });
    const things = connection.db!.collection('things');
    await things.insertOne({ name: 'before' });
    relay.silent = true;
    const outcome = await Promise.race([
      things.findOne({ name: 'before' }).then(
        () => 'answered',
        (error: Error) => error.name,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 20 s'), 20_000).unref()),
    ]);
    expect(outcome).toMatch(/^Mongo(NetworkTimeout|ServerSelection)Error$/);
  });

  it('has a socket timeout by default, and takes the URI\'s own when it names one', async () => {
    connection = await openDatabaseConnection({ uri: `mongodb://127.0.0.1:${relayPort}/socket_timeout_check` });
    expect(connection.getClient().options.socketTimeoutMS).toBe(DEFAULT_SOCKET_TIMEOUT_MS);
    await connection.close(true);
    connection = await openDatabaseConnection({ uri: `mongodb://127.0.0.1:${relayPort}/socket_timeout_check?SocketTimeoutMS=0` });
    expect(connection.getClient().options.socketTimeoutMS).toBe(0);
  });

  it('reads socketTimeoutMS among the URI options whatever its case, and only there', () => {
    expect(uriSetsSocketTimeout('mongodb://h/db?socketTimeoutMS=5')).toBe(true);
    expect(uriSetsSocketTimeout('mongodb://h/db?replicaSet=rs0&SOCKETTIMEOUTMS=0')).toBe(true);
    expect(uriSetsSocketTimeout('mongodb://h/db?connectTimeoutMS=5')).toBe(false);
    expect(uriSetsSocketTimeout('mongodb://h/socketTimeoutMS')).toBe(false);
    expect(uriSetsSocketTimeout('mongodb://h/db')).toBe(false);
  });
});
