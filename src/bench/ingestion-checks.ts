import { BASELINE_COLLECTION } from './baseline-server';
import type { IngestionSetup } from './ingestion-setup';
import type { StoredOnceReport } from './stored-once';

/** What each system stored, read back after the run for the correctness checks. */

export async function storedBaselineSids(setup: IngestionSetup): Promise<string[]> {
  const docs = await setup.baseline.db.collection(BASELINE_COLLECTION).find({}, { projection: { _id: 0, messageSid: 1 } }).toArray();
  return docs.map((doc) => String(doc['messageSid']));
}

export async function storedServiceSids(setup: IngestionSetup): Promise<string[]> {
  const db = setup.service.connection.db;
  if (!db) throw new Error('the service database connection is closed');
  const docs = await db
    .collection('messages')
    .find({ integrationId: setup.integrationId, direction: 'inbound' }, { projection: { _id: 0, sidKey: 1 } })
    .toArray();
  return docs.map((doc) => String(doc['sidKey']));
}

/**
 * The service's other half of "stored once": one open ticket per contact that wrote, and
 * every stored message counted exactly once in its ticket's unread count (nobody reads
 * during the run), which lost or doubled concurrent ticket updates would break.
 */
export async function checkTickets(
  setup: IngestionSetup,
  stored: StoredOnceReport,
  contactsOfAcknowledged: ReadonlyArray<string | undefined>,
): Promise<{ line: string; correct: boolean }> {
  const db = setup.service.connection.db;
  if (!db) throw new Error('the service database connection is closed');
  const tickets = await db
    .collection('tickets')
    .find({ integrationId: setup.integrationId }, { projection: { _id: 1, status: 1, unreadCount: 1, 'contact.whatsappNumber': 1 } })
    .toArray();
  const open = tickets.filter((t) => t['status'] !== 'closed');
  const openContacts = new Set(open.map((t) => String((t['contact'] as { whatsappNumber?: unknown } | undefined)?.whatsappNumber)));
  const writingContacts = new Set(contactsOfAcknowledged.filter((contact): contact is string => contact !== undefined));
  const unread = tickets.reduce((total, t) => total + Number(t['unreadCount'] ?? 0), 0);
  const noneTwice = open.length === openContacts.size;
  const allCovered = [...writingContacts].every((contact) => openContacts.has(contact));
  const countedOnce = unread === stored.stored;
  return {
    line:
      `service tickets: ${open.length} open for ${openContacts.size} contacts (${noneTwice ? 'none twice' : 'SOME TWICE'}), ` +
      `${allCovered ? 'including' : 'NOT including'} all ${writingContacts.size} contacts with acknowledged messages; ` +
      `unread total ${unread} for ${stored.stored} stored messages (${countedOnce ? 'each counted once' : 'WRONG'})`,
    correct: noneTwice && allCovered && countedOnce,
  };
}
