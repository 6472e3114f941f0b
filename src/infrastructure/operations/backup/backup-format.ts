import { mongo } from 'mongoose';

/**
 * A Zapdesk backup file: gzip'd NDJSON, one JSON value a line, documents in MongoDB Extended
 * JSON (canonical: dates, numbers and binary come back with their types).
 *
 *   {"format":"zapdesk-backup","version":1,...}            header
 *   {"collection":"integrations","doc":{...}}             one line per document
 *   {"end":true,"counts":{...},...}                       trailer: a file without it is truncated
 */
export const BACKUP_FORMAT = 'zapdesk-backup';
export const BACKUP_FORMAT_VERSION = 1;

/**
 * What a backup holds, in the order it is written (see docs/operations.md for why this order):
 * the data the API answers from, plus the accepted-but-unfiled inbound messages and their
 * conversation counters (acknowledged to Twilio, so they must not be lost).
 */
export const BACKED_UP_COLLECTIONS = ['integrations', 'inbound_inbox', 'inbound_lanes', 'tickets', 'messages', 'notifications'] as const;
export type BackedUpCollection = (typeof BACKED_UP_COLLECTIONS)[number];

/**
 * Derived or transient state, not backed up: the delivery queue (rebuilt from the messages by
 * its sweep when the workers start), send pacing, the real-time event log (clients reconnecting
 * after a restore get `stream.reset`). A restore needs them empty too.
 */
export const DERIVED_COLLECTIONS = ['delivery_queue', 'send_pacers', 'event_log'] as const;

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly createdAt: string;
  readonly database: string;
  readonly collections: readonly BackedUpCollection[];
  /** Newest real-time event when the export began (0: none). */
  readonly eventLogPositionAtStart: number;
}

export interface BackupTrailer {
  readonly end: true;
  readonly counts: Readonly<Record<BackedUpCollection, number>>;
  readonly finishedAt: string;
  /** Newest real-time event when the export ended: equal to the start's, no API-visible change happened meanwhile. */
  readonly eventLogPositionAtEnd: number;
}

export interface BackupDocumentLine {
  readonly collection: BackedUpCollection;
  readonly doc: mongo.Document;
}

const EJSON = mongo.BSON.EJSON;

export function documentLine(collection: BackedUpCollection, doc: mongo.Document): string {
  return EJSON.stringify({ collection, doc }, { relaxed: false });
}

export function parseDocumentLine(line: string): BackupDocumentLine {
  return EJSON.parse(line, { relaxed: false }) as BackupDocumentLine;
}

export class BackupFormatError extends Error {}

export function isBackedUpCollection(name: unknown): name is BackedUpCollection {
  return typeof name === 'string' && (BACKED_UP_COLLECTIONS as readonly string[]).includes(name);
}

/** Checks the first line; refuses any other format or a version this code does not know. */
export function parseHeader(line: string | undefined): BackupHeader {
  let header: Partial<BackupHeader>;
  try {
    header = JSON.parse(line ?? '') as Partial<BackupHeader>;
  } catch {
    throw new BackupFormatError('not a Zapdesk backup: its first line is not a JSON header');
  }
  if (header === null || typeof header !== 'object' || header.format !== BACKUP_FORMAT) {
    throw new BackupFormatError(`not a Zapdesk backup: the header's format is not "${BACKUP_FORMAT}"`);
  }
  if (header.version !== BACKUP_FORMAT_VERSION) {
    throw new BackupFormatError(
      `backup format version ${JSON.stringify(header.version)} is not supported: this Zapdesk reads version ${BACKUP_FORMAT_VERSION}`,
    );
  }
  return header as BackupHeader;
}
