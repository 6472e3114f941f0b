import { InvalidValueError } from '../shared/domain-error';

/**
 * What an agent may attach to a WhatsApp reply: the media types Twilio accepts for WhatsApp
 * and their size limits (Twilio: 16 MB per media on WhatsApp, 5 MB for images).
 */
export type AttachmentKind = 'image' | 'audio' | 'video' | 'document';

const MB = 1024 * 1024;

export const ATTACHMENT_LIMITS: Readonly<Record<AttachmentKind, number>> = {
  image: 5 * MB,
  audio: 16 * MB,
  video: 16 * MB,
  document: 16 * MB,
};

/** The largest attachment of any kind: an upload stream never needs to read further. */
export const MAX_ATTACHMENT_BYTES = Math.max(...Object.values(ATTACHMENT_LIMITS));

export const ATTACHMENT_TYPES: Readonly<Record<string, AttachmentKind>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'audio/ogg': 'audio',
  'audio/mpeg': 'audio',
  'audio/amr': 'audio',
  'audio/mp4': 'audio',
  'audio/aac': 'audio',
  'video/mp4': 'video',
  'video/3gpp': 'video',
  'application/pdf': 'document',
  'application/msword': 'document',
  'application/vnd.ms-excel': 'document',
  'application/vnd.ms-powerpoint': 'document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'document',
  'text/plain': 'document',
};

export interface AttachmentRule {
  readonly contentType: string;
  readonly kind: AttachmentKind;
  readonly maxBytes: number;
}

/** The rule for a declared content type (parameters such as `; charset=` ignored); a 400 naming the accepted types otherwise. */
export function attachmentRuleFor(declaredType: string, filename: string): AttachmentRule {
  const contentType = declaredType.split(';')[0]!.trim().toLowerCase();
  const kind = ATTACHMENT_TYPES[contentType];
  if (kind === undefined) {
    throw new InvalidValueError(
      'files',
      `${describe(filename)} is ${contentType || 'of no declared type'}, which WhatsApp does not take; accepted: ${Object.keys(ATTACHMENT_TYPES).join(', ')}`,
    );
  }
  return { contentType, kind, maxBytes: ATTACHMENT_LIMITS[kind] };
}

/** The 400 of a file past its kind's limit (found while streaming it, before it is stored). */
export function attachmentTooLarge(rule: AttachmentRule, filename: string): InvalidValueError {
  return new InvalidValueError('files', `${describe(filename)} is larger than ${rule.maxBytes / MB} MB, the limit for ${rule.kind === 'image' ? 'an image' : `${rule.kind === 'audio' ? 'an' : 'a'} ${rule.kind}`} on WhatsApp`);
}

function describe(filename: string): string {
  const safe = filename.replace(/[^\w. ()+-]/g, '_').slice(0, 100);
  return safe ? `"${safe}"` : 'the file';
}
