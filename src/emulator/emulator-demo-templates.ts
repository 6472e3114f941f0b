import { createHash } from 'node:crypto';
import type { ContentTemplateInput, EmulatorState } from './emulator-state';

/**
 * Content templates of the demo workspace's account: approved ones (text with variables, a
 * quick reply, media, one without variables), one pending and one rejected WhatsApp review.
 * Templates are not kept in the emulator's state file, so they are seeded at every start, with
 * SIDs derived from the account: the same SIDs every run.
 */
const DEMO_TEMPLATES: readonly (ContentTemplateInput & { readonly key: string })[] = [
  {
    key: 'order_shipped',
    friendlyName: 'order_shipped',
    language: 'en',
    variables: { '1': 'Ana', '2': '#1042' },
    types: { 'twilio/text': { body: 'Hi {{1}}, your order {{2}} has shipped. Reply here if you need anything.' } },
  },
  {
    key: 'retomar_conversa',
    friendlyName: 'retomar_conversa',
    language: 'pt_BR',
    variables: { '1': 'Maria' },
    types: {
      'twilio/quick-reply': {
        body: 'Olá {{1}}! Ainda podemos ajudar com o seu pedido?',
        actions: [
          { title: 'Sim, por favor', id: 'yes' },
          { title: 'Não, obrigado', id: 'no' },
        ],
      },
      'twilio/text': { body: 'Olá {{1}}! Ainda podemos ajudar com o seu pedido?' },
    },
  },
  {
    key: 'invoice_ready',
    friendlyName: 'invoice_ready',
    language: 'en',
    variables: { '1': 'Ana', '2': 'INV-2024-001' },
    types: { 'twilio/media': { body: 'Hello {{1}}, invoice {{2}} is attached.', media: ['https://demo.zapdesk.invalid/invoices/{{2}}.pdf'] } },
    category: 'UTILITY',
  },
  {
    key: 'follow_up',
    friendlyName: 'follow_up',
    language: 'en',
    types: { 'twilio/text': { body: 'We are following up on your request: reply to this message to continue the conversation.' } },
  },
  {
    key: 'spring_sale',
    friendlyName: 'spring_sale',
    language: 'en',
    variables: { '1': 'Ana' },
    types: { 'twilio/text': { body: '{{1}}, everything is 20% off until Sunday!' } },
    category: 'MARKETING',
    approvalStatus: 'pending',
  },
  {
    key: 'feedback_card',
    friendlyName: 'feedback_card',
    language: 'en',
    variables: { '1': 'Ana' },
    types: { 'whatsapp/card': { body: 'How did we do, {{1}}?', footer: 'Zapdesk demo', actions: [{ type: 'QUICK_REPLY', title: 'Great', id: 'great' }] } },
    approvalStatus: 'rejected',
    rejectionReason: 'INVALID_FORMAT: a whatsapp/card button needs an example value',
  },
];

/** Adds the demo templates to `accountSid` (idempotent: the same SIDs are replaced). */
export function seedDemoTemplates(state: EmulatorState, accountSid: string): string[] {
  return DEMO_TEMPLATES.map(({ key, ...template }) => {
    const sid = `HX${createHash('sha256').update(`${accountSid}:${key}`).digest('hex').slice(0, 32)}`;
    const existing = state.contents.get(sid);
    // A restart in the same process keeps what a test or a user changed.
    return existing !== undefined ? existing.sid : state.addContent(accountSid, { ...template, sid }).sid;
  });
}
