/**
 * What the reply box accepts as files, checked before anything is sent: the same types and limits
 * as the API (src/domain/message/attachment-policy.ts; a unit test keeps the two equal). The API
 * stays the authority: this only spares the agent a refused upload.
 */

export type AttachmentKind = 'image' | 'audio' | 'video' | 'document';

const MB = 1024 * 1024;

export const ATTACHMENT_LIMITS: Readonly<Record<AttachmentKind, number>> = {
  image: 5 * MB,
  audio: 16 * MB,
  video: 16 * MB,
  document: 16 * MB,
};

/** One WhatsApp message per file: at most this many per reply. */
export const MAX_FILES = 10;

/** WhatsApp's limit for a media caption. */
export const MAX_CAPTION_LENGTH = 1024;

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

/**
 * The type of an accepted file by its extension, for when the browser names none (or a variant
 * such as audio/x-m4a): the API judges the declared type, so the console declares the right one.
 */
export const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  amr: 'audio/amr',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  pdf: 'application/pdf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain',
};

/** The file picker's `accept`: the types and their extensions (some systems know only one). */
export const ACCEPT = [...Object.keys(ATTACHMENT_TYPES), ...Object.keys(EXTENSION_TYPES).map((ext) => `.${ext}`)].join(',');

/** The extensions, for a refusal that names what is accepted. */
export const ACCEPTED_EXTENSIONS = Object.keys(EXTENSION_TYPES).map((ext) => `.${ext}`).join(', ');

/** What the reply box needs of a picked file (a browser File has all of it). */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
  readonly type: string;
}

export type Refusal =
  | { readonly reason: 'type'; readonly name: string; readonly type: string }
  | { readonly reason: 'size'; readonly name: string; readonly kind: AttachmentKind; readonly limitMb: number }
  | { readonly reason: 'count'; readonly name: string; readonly max: number };

/** The content type the file will be sent with: the browser's, else the one of its extension. */
export function contentTypeOf(file: PickedFile): string {
  const declared = file.type.split(';')[0]!.trim().toLowerCase();
  if (ATTACHMENT_TYPES[declared]) return declared;
  const ext = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase();
  return (ext && EXTENSION_TYPES[ext]) || declared;
}

/**
 * Adds `incoming` to the files already chosen: each one is accepted, or refused for its type, its
 * size (per kind) or because the reply already has MAX_FILES. Refused files are not added.
 */
export function addFiles<T extends PickedFile>(chosen: readonly T[], incoming: readonly T[]): { readonly files: T[]; readonly refused: Refusal[] } {
  const files = [...chosen];
  const refused: Refusal[] = [];
  for (const file of incoming) {
    const type = contentTypeOf(file);
    const kind = ATTACHMENT_TYPES[type];
    if (kind === undefined) refused.push({ reason: 'type', name: file.name, type });
    else if (file.size > ATTACHMENT_LIMITS[kind]) refused.push({ reason: 'size', name: file.name, kind, limitMb: ATTACHMENT_LIMITS[kind] / MB });
    else if (files.length >= MAX_FILES) refused.push({ reason: 'count', name: file.name, max: MAX_FILES });
    else files.push(file);
  }
  return { files, refused };
}

/** "820 B", "12 KB", "3.4 MB" (decimal separator of the UI language). */
export function formatSize(bytes: number, lang: 'en' | 'pt'): string {
  const locale = lang === 'pt' ? 'pt-BR' : 'en-GB';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / MB).toLocaleString(locale, { maximumFractionDigits: 1 })} MB`;
}
