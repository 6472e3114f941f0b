import { useEffect, useState } from 'preact/hooks';
import type { ReplyContent, Template } from '../api';
import { useWorkspace } from '../context';

interface Props {
  readonly integrationId: string;
  readonly busy: boolean;
  /** Sends the reply; true when it was accepted (the picker then clears). */
  readonly onSend: (content: ReplyContent) => Promise<boolean>;
}

type Load = { readonly state: 'loading' } | { readonly state: 'failed' } | { readonly state: 'ready'; readonly templates: readonly Template[] };

/**
 * The number's approved WhatsApp templates (the only ones WhatsApp accepts outside the 24-hour
 * window): pick one, fill its variables, send. The service checks the same again.
 */
export function TemplatePicker({ integrationId, busy, onSend }: Props) {
  const { t, api } = useWorkspace();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [sid, setSid] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});

  useEffect(() => {
    let current = true;
    setLoad({ state: 'loading' });
    api.listTemplates(integrationId).then(
      (all) => current && setLoad({ state: 'ready', templates: all.filter((template) => template.allowedOutsideWindow) }),
      () => current && setLoad({ state: 'failed' }),
    );
    return () => {
      current = false;
    };
  }, [api, integrationId]);

  if (load.state === 'loading') return <p class="picker-status">{t('picker.loading')}</p>;
  if (load.state === 'failed') return <p class="picker-status">{t('picker.failed')}</p>;
  if (load.templates.length === 0) return <p class="picker-status">{t('picker.none')}</p>;

  const chosen = load.templates.find((template) => template.sid === sid);
  const complete = chosen !== undefined && chosen.variables.every((variable) => (values[variable.name] ?? '').trim() !== '');

  const submit = async () => {
    if (!chosen || !complete || busy) return;
    const contentVariables = Object.fromEntries(chosen.variables.map((variable) => [variable.name, values[variable.name]!.trim()]));
    if (await onSend({ contentSid: chosen.sid, ...(chosen.variables.length > 0 ? { contentVariables } : {}) })) {
      setSid('');
      setValues({});
    }
  };

  return (
    <form
      class="template-picker"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div class="field">
        <label for="template-picker">{t('picker.label')}</label>
        <select
          id="template-picker"
          value={sid}
          onChange={(event) => {
            setSid((event.target as HTMLSelectElement).value);
            setValues({});
          }}
        >
          <option value="">{t('picker.choose')}</option>
          {load.templates.map((template) => (
            <option key={template.sid} value={template.sid}>
              {template.friendlyName} ({template.language})
            </option>
          ))}
        </select>
      </div>
      {chosen && (
        <>
          {chosen.body && <p class="template-preview">{chosen.body}</p>}
          {chosen.variables.map((variable) => (
            <div class="field" key={variable.name}>
              <label for={`template-variable-${variable.name}`}>{t('picker.variable', { name: variable.name })}</label>
              <input
                id={`template-variable-${variable.name}`}
                value={values[variable.name] ?? ''}
                placeholder={variable.sample ?? ''}
                autocomplete="off"
                required
                onInput={(event) => setValues({ ...values, [variable.name]: (event.target as HTMLInputElement).value })}
              />
            </div>
          ))}
          <button type="submit" disabled={busy || !complete}>
            {t('picker.send')}
          </button>
        </>
      )}
    </form>
  );
}
