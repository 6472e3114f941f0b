import busboy from 'busboy';
import type { Request } from 'express';
import { PassThrough } from 'node:stream';
import { AttachmentUploads } from '../../../application/message/attachments/attachment-uploads';
import { StoredAttachment } from '../../../application/ports/attachment-store.port';
import { MAX_ATTACHMENT_BYTES } from '../../../domain/message/attachment-policy';
import { MAX_REPLY_PARTS } from '../../../domain/message/reply';
import { InvalidValueError } from '../../../domain/shared/domain-error';
import { bodyGarbage, type BodyGarbageCollector } from '../body-garbage-collector';
import { ApiError } from '../errors/api-error';

export const FILE_FIELD = 'files';
const MAX_FIELD_BYTES = 16 * 1024;

export interface ReceivedUpload {
  readonly fields: Readonly<Record<string, string>>;
  /** In the order the files came. */
  readonly stored: readonly StoredAttachment[];
}

export function isMultipart(req: Request): boolean {
  return /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');
}

/**
 * Reads a multipart/form-data request: each file part (`files`, up to 10) is checked against
 * WhatsApp's types before a byte is read, then streamed straight into the attachment store,
 * which stops it past its limit. Text fields are kept (only `allowedFields`).
 *
 * On any refusal the rest of the request is read and thrown away (the client gets its 400
 * instead of a reset connection; nothing of it is buffered) and the files already stored
 * for this request are deleted: a refused upload stores nothing.
 */
export function receiveMultipart(
  req: Request,
  uploads: AttachmentUploads,
  /** `forReply`: the files are sent by this request's reply (stored as used, never swept). */
  target: { readonly companyId: string; readonly ticketId: string; readonly uploadedBy: string; readonly forReply?: boolean },
  allowedFields: readonly string[],
  garbage: BodyGarbageCollector = bodyGarbage,
): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: MAX_REPLY_PARTS, fileSize: MAX_ATTACHMENT_BYTES + 1, fields: allowedFields.length, fieldSize: MAX_FIELD_BYTES, parts: MAX_REPLY_PARTS + allowedFields.length },
      });
    } catch {
      reject(new ApiError(400, 'VALIDATION.INVALID_REQUEST', 'the request is not valid multipart/form-data (a boundary is required)'));
      return;
    }
    const fields: Record<string, string> = {};
    const stored: Array<StoredAttachment | undefined> = [];
    const pending: Array<Promise<void>> = [];
    let failure: Error | null = null;
    const refuse = (error: Error): void => {
      failure ??= error;
    };

    parser.on('file', (name, file, info) => {
      const position = stored.length;
      stored.push(undefined);
      if (failure !== null) return void file.resume();
      if (name !== FILE_FIELD) {
        refuse(new InvalidValueError(name, `unexpected file field; send files as "${FILE_FIELD}"`));
        return void file.resume();
      }
      let rule;
      try {
        rule = uploads.ruleFor(info.mimeType, info.filename ?? '');
      } catch (error) {
        refuse(error as Error);
        return void file.resume();
      }
      // Through a pass-through the store may destroy: busboy's own file stream must stay alive
      // to be drained, or the parser would wait for it forever.
      const content = new PassThrough();
      // Counted once more: on its way into the database each chunk is copied again (measured:
      // about four bytes allocated per byte stored, one per byte only read and thrown away).
      garbage.watch(content);
      file.pipe(content);
      pending.push(
        uploads
          .storeFile({ ...target, filename: (info.filename ?? 'attachment').slice(0, 255), rule }, content)
          .then((attachment) => {
            stored[position] = attachment;
          })
          .catch((error: unknown) => {
            refuse(error as Error);
            // The store stopped reading: discard the rest of this file so the parser goes on.
            file.unpipe(content);
            file.resume();
          }),
      );
    });
    parser.on('field', (name, value, info) => {
      if (!allowedFields.includes(name)) refuse(new InvalidValueError(name, `unknown field; accepted: ${[FILE_FIELD, ...allowedFields].join(', ')}`));
      else if (info.valueTruncated) refuse(new InvalidValueError(name, `must be at most ${MAX_FIELD_BYTES} bytes`));
      else fields[name] = value;
    });
    parser.on('filesLimit', () => refuse(new InvalidValueError(FILE_FIELD, `at most ${MAX_REPLY_PARTS} files per request (one WhatsApp message each)`)));
    parser.on('fieldsLimit', () => refuse(new InvalidValueError('fields', `only ${allowedFields.join(', ') || 'files'} besides the files`)));
    parser.on('partsLimit', () => refuse(new InvalidValueError(FILE_FIELD, `at most ${MAX_REPLY_PARTS} files per request`)));

    let settled = false;
    const finish = async (): Promise<void> => {
      if (settled) return;
      settled = true;
      await Promise.allSettled(pending);
      const files = stored.filter((item): item is StoredAttachment => item !== undefined);
      if (failure !== null) {
        await uploads.discard(files).catch(() => undefined);
        reject(failure);
        return;
      }
      resolve({ fields, stored: files });
    };
    parser.on('close', () => void finish());
    parser.on('error', (error: unknown) => {
      refuse(new ApiError(400, 'VALIDATION.INVALID_REQUEST', `the multipart body is malformed: ${error instanceof Error ? error.message : String(error)}`));
      req.unpipe(parser);
      // Read the rest of the request into nothing, then answer.
      if (req.readableEnded) void finish();
      else req.on('end', () => void finish()).resume();
    });
    req.on('aborted', () => {
      refuse(new ApiError(400, 'VALIDATION.INVALID_REQUEST', 'the upload was interrupted'));
      void finish();
    });
    // Bytes counted as they arrive, the part read and thrown away after a refusal included.
    garbage.watch(req);
    req.pipe(parser);
  });
}
