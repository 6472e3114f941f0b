import { z } from 'zod';

/** Ids and times the examples share, so one example's ticket is another's `ticketId`. */
export const EXAMPLE = {
  companyId: 'acme',
  integrationId: '6650f0c2a1b2c3d4e5f60718',
  ticketId: '6650f1d9a1b2c3d4e5f60720',
  messageId: '6650f2e4a1b2c3d4e5f60731',
  notificationId: '6650f3aaa1b2c3d4e5f60742',
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  whatsappNumber: '+14155550100',
  customerNumber: '+5511999990000',
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:05:00.000Z',
} as const;

/** An ISO 8601 instant in UTC, as every time in the API is written. */
export const instant = () => z.iso.datetime().meta({ example: EXAMPLE.createdAt });

/** Ids the API issues: 24 hex digits (inbound message ids derive from Twilio's MessageSid). */
export const resourceId = z.string().meta({ description: 'An id this API issued.', example: EXAMPLE.ticketId });

/** `{id}` in a path. Unknown or malformed ids answer 404, like ids of another company. */
export function idParams(description: string, example: string) {
  return z.object({ id: z.string().meta({ description, example }) });
}

export const errorDetail = z.object({
  field: z.string().meta({ description: 'The field, as a dotted path; `(body)`/`(query)` for the whole part.', example: 'countryCode' }),
  issue: z.string().meta({ description: 'What is wrong and what is expected.', example: 'must be an ISO 3166-1 alpha-2 country code such as US' }),
});

/** The one error shape of the API: `{"error": {"code", "message", "details"?}}`. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, machine-readable: `AREA.REASON`.', example: 'VALIDATION.INVALID_REQUEST' }),
      message: z.string().meta({ description: 'For people; may change.' }),
      details: z.array(errorDetail).optional().meta({ description: 'One entry per bad field (400).' }),
    }),
  })
  .meta({
    id: 'Error',
    description: 'Every refusal. Nothing is written when a request is refused.',
    example: { error: { code: 'REQUEST.NOT_FOUND', message: 'ticket 6650f1d9a1b2c3d4e5f60720 not found' } },
  });
export type ErrorBodyJson = z.infer<typeof errorBody>;

/** Every list of the API: one page of items and the cursor of the next (null on the last page). */
export function pageOf<T extends z.ZodType>(name: string, item: T, example: z.infer<T>) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass it as `cursor` for the next page; null on the last page.' }),
    })
    .meta({ id: `${name}Page`, description: `One page of ${name} items (the API's one list envelope).`, example: { items: [example], nextCursor: null } });
}
