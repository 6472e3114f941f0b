import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../../../application/ticket/pagination';
import { TICKET_STATUSES } from '../../../domain/ticket/ticket-status';

const limit = z
  .string()
  .regex(/^\d{1,4}$/, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  .transform(Number)
  .pipe(z.number().int().min(1, `must be an integer from 1 to ${MAX_PAGE_SIZE}`).max(MAX_PAGE_SIZE, `must be an integer from 1 to ${MAX_PAGE_SIZE}`));
/** Opaque: only its length is checked here; the use case decodes it. */
const cursor = z.string().min(1, 'must not be empty').max(256, 'is not a cursor this API issued');
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id');

/** Query strings are strict too: a misspelt filter is refused rather than silently ignored. */
export const listTicketsQuery = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional(),
  integrationId: id.optional(),
  cursor: cursor.optional(),
  limit: limit.optional(),
});

export const listMessagesQuery = z.strictObject({
  cursor: cursor.optional(),
  limit: limit.optional(),
});

export const updateTicketBody = z
  .strictObject({
    status: z.enum(TICKET_STATUSES).optional(),
    /** Only `true`: unread counts go up with customer messages, never by hand. */
    read: z.literal(true).optional(),
  })
  .refine((body) => body.status !== undefined || body.read !== undefined, 'name at least one of status, read');

/** WhatsApp allows 10 media per message; two digits leave room without accepting nonsense. */
export const mediaParams = z.strictObject({
  n: z.string().regex(/^\d{1,2}$/, 'must be the media index: 0, 1, ...').transform(Number),
});
