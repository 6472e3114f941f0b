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
/** What `store` needs: the file's details, its size limit, and `usedAt` when a reply uses it at once. */
export type AttachmentToStore = Omit<StoredAttachment, 'id' | 'size' | 'uploadedAt'> & {
  readonly maxBytes: number;
  /** Set for files a reply uses as it stores them (multipart reply): never swept as unsent. */
  readonly usedAt?: Date;
};

export interface AttachmentStore {
  store(input: AttachmentToStore, content: Readable): Promise<StoredAttachment>;
  /** By id; `companyId` null only for the signed public URL (the signature names the file). */
  find(companyId: string | null, id: string): Promise<StoredAttachment | null>;
  /**
   * Marks a file uploaded first as used by a reply (one conditional write on its document, so
   * it cannot race the sweep of unsent files: whichever comes first wins). False: no such
   * file of this company (never uploaded, or already swept).
   */
  claim(companyId: string, id: string, at: Date): Promise<boolean>;
  openStream(id: string): Readable;
  delete(id: string): Promise<void>;
}
