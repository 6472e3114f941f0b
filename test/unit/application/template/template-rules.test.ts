import fc from 'fast-check';
import type { ContentTemplate } from '../../../../src/application/ports/content-templates.port';
import { assertTemplateSendable, requiredVariables, toTemplateView } from '../../../../src/application/template/template-rules';
import { DomainError } from '../../../../src/domain/shared/domain-error';

const template = (overrides: Partial<ContentTemplate> = {}): ContentTemplate => ({
  sid: `HX${'1'.repeat(32)}`,
  friendlyName: 'order_shipped',
  language: 'en',
  variables: { '1': 'Ana' },
  types: { 'twilio/text': { body: 'Hi {{1}}, order {{2}} ships on {{ 10 }}' } },
  whatsappApproval: { status: 'approved', rejectionReason: null, category: 'UTILITY' },
  ...overrides,
});

function refusal(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('template rules', () => {
  it('needs the declared variables and every placeholder of every type, in natural order', () => {
    expect(requiredVariables(template())).toEqual(['1', '2', '10']);
    const card = template({
      variables: {},
      types: { 'whatsapp/card': { body: 'Hi {{name}}', media: ['https://x.example/{{file}}.pdf'], actions: [{ type: 'URL', title: 'Open', url: 'https://x.example/{{ path }}' }] } },
    });
    expect(requiredVariables(card)).toEqual(['file', 'name', 'path']);
    expect(requiredVariables(template({ variables: {}, types: { 'twilio/text': { body: 'no variables' } } }))).toEqual([]);
  });

  it('shows a template with its variables, samples, types, body and approval', () => {
    expect(toTemplateView(template({ whatsappApproval: { status: 'rejected', rejectionReason: 'BAD', category: null } }))).toEqual({
      sid: `HX${'1'.repeat(32)}`,
      friendlyName: 'order_shipped',
      language: 'en',
      variables: [
        { name: '1', sample: 'Ana' },
        { name: '2', sample: null },
        { name: '10', sample: null },
      ],
      types: ['twilio/text'],
      body: 'Hi {{1}}, order {{2}} ships on {{ 10 }}',
      approval: { status: 'rejected', rejectionReason: 'BAD', category: null },
      allowedOutsideWindow: false,
    });
  });

  it('outside the window only an approved template passes; inside it any known one', () => {
    const variables = { '1': 'a', '2': 'b', '10': 'c' };
    for (const status of ['pending', 'received', 'rejected', 'paused', 'disabled', 'unsubmitted']) {
      const t = template({ whatsappApproval: { status, rejectionReason: null, category: null } });
      expect(refusal(() => assertTemplateSendable({ template: t, contentSid: t.sid, contentVariables: variables, outsideWindow: true }))).toMatchObject({
        code: 'TEMPLATE.NOT_APPROVED',
        kind: 'conflict',
      });
      expect(() => assertTemplateSendable({ template: t, contentSid: t.sid, contentVariables: variables, outsideWindow: false })).not.toThrow();
    }
    expect(refusal(() => assertTemplateSendable({ template: undefined, contentSid: 'HX0', contentVariables: {}, outsideWindow: false }))).toMatchObject({ code: 'TEMPLATE.NOT_FOUND', kind: 'invalid' });
  });

  it('passes exactly when every required variable has a non-blank value and no other is given', () => {
    const t = template();
    const names = ['1', '2', '10', '3', 'x'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.constantFrom('', ' ', 'v', 'Ana')), (given) => {
        const complete = ['1', '2', '10'].every((n) => (given[n] ?? '').trim() !== '');
        const extra = Object.keys(given).some((n) => !['1', '2', '10'].includes(n));
        let code: string | null = null;
        try {
          assertTemplateSendable({ template: t, contentSid: t.sid, contentVariables: given, outsideWindow: true });
        } catch (error) {
          code = (error as DomainError).code;
        }
        expect(code).toBe(!complete ? 'TEMPLATE.MISSING_VARIABLE' : extra ? 'TEMPLATE.UNKNOWN_VARIABLE' : null);
      }),
    );
  });
});
