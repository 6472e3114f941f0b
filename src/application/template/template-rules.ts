import { DomainError } from '../../domain/shared/domain-error';
import { ContentTemplate } from '../ports/content-templates.port';

/** `{{1}}`, `{{first_name}}`: Twilio's placeholders, in any string of a template's types. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** One variable of a template: its name and the sample value it was created with. */
export interface TemplateVariable {
  readonly name: string;
  readonly sample: string | null;
}

/** A template as the API shows it. */
export interface TemplateView {
  readonly sid: string;
  readonly friendlyName: string;
  readonly language: string;
  readonly variables: readonly TemplateVariable[];
  /** Content types, e.g. `twilio/text`, `twilio/quick-reply`, `whatsapp/card`. */
  readonly types: readonly string[];
  /** The text the customer reads (placeholders kept), from the first type that has a body. */
  readonly body: string | null;
  readonly approval: { readonly status: string; readonly rejectionReason: string | null; readonly category: string | null };
  /** Whether it may be sent more than 24 hours after the customer's last message (approved by WhatsApp). */
  readonly allowedOutsideWindow: boolean;
}

export function isApproved(template: ContentTemplate): boolean {
  return template.whatsappApproval.status.toLowerCase() === 'approved';
}

/**
 * The variables a send must fill: those the template declares (`variables`) and every
 * placeholder its content uses, in natural order (`2` before `10`).
 */
export function requiredVariables(template: ContentTemplate): string[] {
  const names = new Set(Object.keys(template.variables));
  const visit = (value: unknown): void => {
    if (typeof value === 'string') for (const match of value.matchAll(PLACEHOLDER)) names.add(match[1]!);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
  };
  visit(template.types);
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function toTemplateView(template: ContentTemplate): TemplateView {
  const bodyOf = (definition: unknown): string | null => {
    const body = typeof definition === 'object' && definition !== null ? (definition as Record<string, unknown>)['body'] : undefined;
    return typeof body === 'string' ? body : null;
  };
  return {
    sid: template.sid,
    friendlyName: template.friendlyName,
    language: template.language,
    variables: requiredVariables(template).map((name) => ({ name, sample: template.variables[name] ?? null })),
    types: Object.keys(template.types),
    body: Object.values(template.types).map(bodyOf).find((body) => body !== null) ?? null,
    approval: { ...template.whatsappApproval },
    allowedOutsideWindow: isApproved(template),
  };
}

/**
 * The template rules of a send, checked before anything is queued:
 * - the template exists in the integration's Twilio account (400 TEMPLATE.NOT_FOUND);
 * - outside the 24-hour window only a WhatsApp-approved template (409 TEMPLATE.NOT_APPROVED, with
 *   its status and any rejection reason); inside it WhatsApp accepts any template as a session message;
 * - every variable it uses is given, not blank (400 TEMPLATE.MISSING_VARIABLE), and no other
 *   (400 TEMPLATE.UNKNOWN_VARIABLE): Twilio would send the placeholder text or fail later.
 */
export function assertTemplateSendable(input: {
  readonly template: ContentTemplate | undefined;
  readonly contentSid: string;
  readonly contentVariables: Readonly<Record<string, string>>;
  readonly outsideWindow: boolean;
}): void {
  const { template, contentSid } = input;
  if (template === undefined) {
    throw new DomainError('TEMPLATE.NOT_FOUND', 'invalid', `contentSid ${contentSid} is not a Content template of this WhatsApp number's Twilio account`, [
      { field: 'contentSid', issue: 'is not a template of this account' },
    ]);
  }
  const name = `template "${template.friendlyName}" (${template.sid})`;
  if (input.outsideWindow && !isApproved(template)) {
    const { status, rejectionReason } = template.whatsappApproval;
    const why = status === 'rejected' ? `was rejected by WhatsApp${rejectionReason ? `: ${rejectionReason}` : ''}` : `is not approved by WhatsApp (status ${status})`;
    throw new DomainError('TEMPLATE.NOT_APPROVED', 'conflict', `${name} ${why}; more than 24 hours after the customer's last message only approved templates may be sent`);
  }
  const required = requiredVariables(template);
  const missing = required.filter((variable) => (input.contentVariables[variable] ?? '').trim() === '');
  if (missing.length > 0) {
    const list = missing.map((v) => `"${v}"`).join(', ');
    throw new DomainError(
      'TEMPLATE.MISSING_VARIABLE',
      'invalid',
      `${name} needs contentVariables ${list}`,
      missing.map((v) => ({ field: `contentVariables.${v}`, issue: `is required by the template${template.variables[v] ? ` (e.g. "${template.variables[v]}")` : ''}` })),
    );
  }
  const unknown = Object.keys(input.contentVariables).filter((variable) => !required.includes(variable));
  if (unknown.length > 0) {
    throw new DomainError(
      'TEMPLATE.UNKNOWN_VARIABLE',
      'invalid',
      `${name} has no variable ${unknown.map((v) => `"${v}"`).join(', ')}; its variables: ${required.length > 0 ? required.join(', ') : 'none'}`,
      unknown.map((v) => ({ field: `contentVariables.${v}`, issue: 'is not a variable of the template' })),
    );
  }
}
