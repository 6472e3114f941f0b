import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Schema, mongo } from 'mongoose';
import {
  redactMongoUri,
  startDatabaseServer,
  withDatabaseName,
  withoutDatabaseName,
} from '../../../src/infrastructure/persistence/database/database-server';
import { startMongoJavaServer } from '../../../src/infrastructure/persistence/database/mongo-java-server-launcher';
import { tryStartMemoryServer } from '../../../src/infrastructure/persistence/database/memory-server-launcher';
import { connectTestDatabase, testDatabaseName, testDatabaseUri, type TestDatabase } from '../../support/database/test-database';

/** The parsed options of the real driver, without connecting. */
function parsed(uri: string): { dbName: string; hosts: string[]; replicaSet?: string; srvHost?: string } {
  const options = new mongo.MongoClient(uri).options;
  return {
    dbName: options.dbName,
    hosts: options.hosts.map((host) => host.toString()),
    ...(options.replicaSet ? { replicaSet: options.replicaSet } : {}),
    ...(options.srvHost ? { srvHost: options.srvHost } : {}),
  };
}

describe('the run’s database server', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await connectTestDatabase();
  });

  afterAll(async () => {
    await database.dropAndClose();
  });

  it('is one of the known kinds, started by the global setup', () => {
    expect(['external', 'mongodb-memory-server', 'mongo-java-server']).toContain(process.env.ZAPDESK_TEST_DATABASE_KIND);
    expect(process.env.ZAPDESK_TEST_MONGODB_URI).toMatch(/^mongodb(\+srv)?:\/\/[^/]+\/(\?.*)?$/);
  });

  it('answers ping and hello over the MongoDB wire protocol', async () => {
    const admin = database.connection.db!.admin();
    expect(await admin.command({ ping: 1 })).toMatchObject({ ok: 1 });
    // The legacy name: mongo-java-server answers `isMaster`, not `hello`; MongoDB answers both.
    const hello = await admin.command({ isMaster: 1 });
    expect(hello.ismaster).toBe(true);
    // The Node driver 7 needs wire version 8+; the embedded server announces MongoDB 5.0's 13.
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(13);
  });

  it('gives this test file its own database', () => {
    expect(database.uri).toBe(testDatabaseUri());
    expect(database.connection.name).toMatch(/^database_server_[a-z0-9]{8}$/);
  });

  it('rejects a duplicate key of a unique index with code 11000', async () => {
    const Account = database.connection.model(
      'UniqueProbe',
      new Schema({ phone: { type: String, required: true, unique: true } }),
    );
    await Account.init();
    await Account.create({ phone: '+15550001' });
    await expect(Account.create({ phone: '+15550001' })).rejects.toMatchObject({ code: 11000 });
    expect(await Account.countDocuments()).toBe(1);
  });
});

describe('startDatabaseServer', () => {
  it('uses MONGODB_URI as is when set, starts nothing, and never logs its credentials', async () => {
    const lines: string[] = [];
    const database = await startDatabaseServer({
      env: { MONGODB_URI: 'mongodb://app:s3cr3t@db.example:27017/?replicaSet=rs0' },
      log: (line) => lines.push(line),
    });
    expect(database).toMatchObject({ kind: 'external', uri: 'mongodb://app:s3cr3t@db.example:27017/?replicaSet=rs0' });
    await database.stop();
    expect(lines.join('\n')).not.toContain('s3cr3t');
    expect(lines.join('\n')).toContain('db.example:27017');
  });

  it('talks to the server when MONGODB_URI points at the run’s server', async () => {
    const database = await startDatabaseServer({ env: { MONGODB_URI: process.env.ZAPDESK_TEST_MONGODB_URI }, log: () => undefined });
    const client = new mongo.MongoClient(database.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      await client.close();
    }
  });
});

describe('tryStartMemoryServer', () => {
  it('gives up within a few seconds, with a reason, when no mongod is on disk and the download host is unreachable', async () => {
    const lines: string[] = [];
    const startedAt = Date.now();
    const env = { ...process.env, MONGOMS_DOWNLOAD_MIRROR: 'http://127.0.0.1:9', HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '' };
    const server = await tryStartMemoryServer({ env, log: (line) => lines.push(line) }, 1000);
    if (server !== undefined) {
      // A mongod binary is cached on this machine: the first choice works, which is also fine.
      await server.stop();
      return;
    }
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(lines.join('\n')).toMatch(/not used \(.*unreachable.*\) -> trying mongo-java-server/);
  });
});

describe('startMongoJavaServer', () => {
  it('starts a second instance on its own port and stops it (twice is fine)', async () => {
    const server = await startMongoJavaServer({ env: process.env, log: () => undefined });
    expect(server.uri).not.toBe(process.env.ZAPDESK_TEST_MONGODB_URI);
    const client = new mongo.MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      await client.close();
    }
    await server.stop();
    await server.stop();
    const after = new mongo.MongoClient(server.uri, { serverSelectionTimeoutMS: 500 });
    await expect(after.db('admin').command({ ping: 1 })).rejects.toThrow();
    await after.close();
  });

  it('keeps data on its H2 backend from one run to the next', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zapdesk-h2-'));
    const h2File = join(dataDir, 'store.mv.db');
    try {
      const first = await startMongoJavaServer({ env: process.env, log: () => undefined, h2File });
      const writer = new mongo.MongoClient(first.uri, { serverSelectionTimeoutMS: 5000 });
      await writer.db('kept').collection('things').insertOne({ _id: 'one' as never, n: 1 });
      await writer.db('kept').collection('things').updateOne({ _id: 'one' as never }, { $inc: { n: 41 } });
      await writer.close();
      await first.stop();

      const second = await startMongoJavaServer({ env: process.env, log: () => undefined, h2File });
      const reader = new mongo.MongoClient(second.uri, { serverSelectionTimeoutMS: 5000 });
      try {
        expect(await reader.db('kept').collection('things').findOne({ _id: 'one' as never })).toEqual({ _id: 'one', n: 42 });
      } finally {
        await reader.close();
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('withDatabaseName', () => {
  it.each([
    ['mongodb://h:1', 'mongodb://h:1/app'],
    ['mongodb://h:1/', 'mongodb://h:1/app'],
    ['mongodb://h:1/other', 'mongodb://h:1/app'],
    ['mongodb://h:1/?replicaSet=x', 'mongodb://h:1/app?replicaSet=x'],
    ['mongodb://h:1?replicaSet=x', 'mongodb://h:1/app?replicaSet=x'],
    ['mongodb://a:1,b:2/old?replicaSet=x&w=majority', 'mongodb://a:1,b:2/app?replicaSet=x&w=majority'],
    ['mongodb+srv://cluster0.example.net/?retryWrites=true', 'mongodb+srv://cluster0.example.net/app?retryWrites=true'],
    ['mongodb://u:p@h:1/admin', 'mongodb://u:p@h:1/app?authSource=admin'],
    ['mongodb://u:p@h:1/admin?authSource=other', 'mongodb://u:p@h:1/app?authSource=other'],
    ['mongodb://%2Ftmp%2Fmongodb-27017.sock/', 'mongodb://%2Ftmp%2Fmongodb-27017.sock/app'],
  ])('%s -> %s', (uri, expected) => {
    expect(withDatabaseName(uri, 'app')).toBe(expected);
    expect(parsed(expected).dbName).toBe('app');
  });

  it('keeps the server options the driver sees', () => {
    const uri = withDatabaseName('mongodb+srv://cluster0.example.net/?replicaSet=rs', 'tickets');
    expect(parsed(uri)).toMatchObject({ dbName: 'tickets', replicaSet: 'rs', srvHost: 'cluster0.example.net' });
  });

  it('rejects names MongoDB does not allow and URIs that are not MongoDB URIs', () => {
    for (const bad of ['', 'a.b', 'a/b', 'a b', 'a$b', 'x'.repeat(64)]) {
      expect(() => withDatabaseName('mongodb://h:1/', bad)).toThrow(/invalid MongoDB database name/);
    }
    expect(() => withDatabaseName('http://h:1/', 'app')).toThrow(/not a mongodb/);
  });

  it('withoutDatabaseName leaves the server part only', () => {
    expect(withoutDatabaseName('mongodb://h:1/app?w=1')).toBe('mongodb://h:1/?w=1');
    expect(withoutDatabaseName('mongodb://h:1')).toBe('mongodb://h:1/');
  });

  const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}(\.[a-z][a-z0-9-]{0,10}){0,2}$/);
  const port = fc.integer({ min: 1, max: 65535 });
  const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,38}$/);
  const query = fc.constantFrom('', '?replicaSet=rs0', '?w=majority&retryWrites=true', '?directConnection=true');
  const oldPath = fc.constantFrom('', '/', '/old_db');

  it('puts the name where the driver reads it, keeping hosts and options (property)', () => {
    fc.assert(
      fc.property(host, port, name, query, oldPath, (h, p, n, q, path) => {
        const uri = withDatabaseName(`mongodb://${h}:${p}${path}${q}`, n);
        expect(uri).toBe(`mongodb://${h}:${p}/${n}${q}`);
        expect(parsed(uri)).toMatchObject({ dbName: n, hosts: [`${h}:${p}`] });
      }),
    );
  });

  it('replacing twice equals replacing once (property)', () => {
    fc.assert(
      fc.property(host, port, name, name, query, (h, p, first, second, q) => {
        const base = `mongodb://${h}:${p}/${q}`;
        expect(withDatabaseName(withDatabaseName(base, first), second)).toBe(withDatabaseName(base, second));
        expect(withoutDatabaseName(withDatabaseName(base, first))).toBe(base);
      }),
    );
  });
});

describe('testDatabaseName', () => {
  it('is at most 38 characters of [a-z0-9_], derived from the test file, and differs between calls', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (file) => {
        const generated = testDatabaseName(`/x/${file}.test.ts`);
        expect(generated).toMatch(/^[a-z0-9_]{1,38}$/);
      }),
    );
    expect(testDatabaseName('/repo/test/A Very-Long.Name_of-a.repository.contract.test.ts')).toMatch(/^a_very_long_name_of_a_reposit_[a-z0-9]{8}$/);
    expect(testDatabaseName('/x/same.test.ts')).not.toBe(testDatabaseName('/x/same.test.ts'));
  });
});

describe('redactMongoUri', () => {
  it('masks user, password and secret options, keeps the rest', () => {
    expect(redactMongoUri('mongodb://app:p%40ss@h:1,h2:2/db?tlsCertificateKeyFilePassword=x&w=1')).toBe(
      'mongodb://***:***@h:1,h2:2/db?tlsCertificateKeyFilePassword=***&w=1',
    );
    expect(redactMongoUri('mongodb://h:1/')).toBe('mongodb://h:1/');
  });
});
