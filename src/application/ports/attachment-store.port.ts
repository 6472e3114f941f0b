import { Readable } from 'node:stream';

/** A file an agent uploaded for a reply, stored by Zapdesk (the bytes live in the store). */
export interface StoredAttachment {
  readonly id: string;
  readonly companyId: string;
  readonly ticketId: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly uploadedBy: string;
  readonly uploadedAt: Date;
}

/** The content stopped before its end: more than `maxBytes`. Nothing of it is kept. */
export class AttachmentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
    this.name = 'AttachmentTooLargeError';
  }
}

/**
 * Outbound attachments, streamed in and out (never held whole in memory). `store` counts the
 * bytes as they arrive and, past `maxBytes`, stops, deletes what it wrote and rejects with
 * AttachmentTooLargeError (the caller discards the rest of the input).
 */
export interface AttachmentStore {
  store(input: Omit<StoredAttachment, 'id' | 'size' | 'uploadedAt'> & { readonly maxBytes: number }, content: Readable): Promise<StoredAttachment>;
  /** By id; `companyId` null only for the signed public URL (the signature names the file). */
  find(companyId: string | null, id: string): Promise<StoredAttachment | null>;
  openStream(id: string): Readable;
  delete(id: string): Promise<void>;
}
