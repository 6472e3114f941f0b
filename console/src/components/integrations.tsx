import { useState } from 'preact/hooks';
import type { CreateIntegrationBody, ErrorDetail, Integration } from '../api';
import { ApiError } from '../api';
import { describeError, useWorkspace } from '../context';
import { clockTime } from '../format';

interface Props {
  /** Every integration of the company, kept live by the workspace (integration.updated). */
  readonly integrations: readonly Integration[];
  readonly onChanged: (integration: Integration) => void;
  readonly onRemoved: (id: string) => void;
}

export function IntegrationsView({ integrations, onChanged, onRemoved }: Props) {
  const { t } = useWorkspace();
  return (
    <main id="main" class="integrations-view" tabIndex={-1}>
      <section aria-labelledby="integrations-heading">
        <h2 id="integrations-heading">{t('int.heading')}</h2>
        {integrations.length === 0 ? (
          <p class="empty">{t('int.empty')}</p>
        ) : (
          <table class="integrations">
            <thead>
              <tr>
                <th scope="col">{t('int.name')}</th>
                <th scope="col">{t('int.number')}</th>
                <th scope="col">{t('int.mode')}</th>
                <th scope="col">{t('int.status')}</th>
                <th scope="col">{t('int.lastError')}</th>
                <th scope="col">{t('int.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {integrations.map((integration) => (
                <IntegrationRow key={integration.id} integration={integration} onChanged={onChanged} onRemoved={onRemoved} />
              ))}
            </tbody>
          </table>
        )}
      </section>
      <IntegrationForm onCreated={onChanged} />
    </main>
  );
}

function IntegrationRow({ integration, onChanged, onRemoved }: { readonly integration: Integration } & Omit<Props, 'integrations'>) {
  const { t, lang, api, toast } = useWorkspace();
  const [busy, setBusy] = useState(false);
  const number = integration.whatsappNumber;

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      toast(`${number}: ${describeError(t, error)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  const validate = () =>
    run(async () => {
      const result = await api.validateIntegration(integration.id);
      if (result && result.id) onChanged(result);
      const status = result?.status ?? integration.status;
      toast(t('int.validated', { number, status: t(`int.status.${status}`) }), status === 'active' ? 'success' : 'error');
    });
  const sync = () =>
    run(async () => {
      const result = await api.syncWebhooks(integration.id);
      if (result && result.id) onChanged(result);
      toast(t('int.synced', { number }), 'success');
    });
  const remove = () => {
    if (!window.confirm(t('int.confirmRemove', { number }))) return;
    void run(async () => {
      await api.removeIntegration(integration.id);
      onRemoved(integration.id);
      toast(t('int.removed', { number }), 'success');
    });
  };
  const toggle = () =>
    run(async () => {
      onChanged(await api.updateIntegration(integration.id, { status: integration.status === 'inactive' ? 'active' : 'inactive' }));
    });

  const label = integration.friendlyName || '—';
  return (
    <tr data-integration-id={integration.id} data-status={integration.status}>
      <td>{label}</td>
      <td class="mono">{number}</td>
      <td>{integration.mode ? t(`int.mode.${integration.mode}`) : '—'}</td>
      <td>
        <span class={`status int-${integration.status}`}>{t(`int.status.${integration.status}`)}</span>
        {integration.status === 'pending' && integration.provisioningStep && <small class="step"> {t('int.step', { step: integration.provisioningStep })}</small>}
        <MonitoringNotes integration={integration} />
      </td>
      <td class="last-error">
        {integration.config.lastError
          ? t('int.errorAt', {
              error: integration.config.lastError,
              when: integration.config.lastErrorDate ? clockTime(lang, integration.config.lastErrorDate) : '?',
            })
          : '—'}
      </td>
      <td class="row-actions">
        <button type="button" class="secondary small" disabled={busy} onClick={() => void validate()} aria-label={`${t('int.validate')} ${number}`}>
          {t('int.validate')}
        </button>
        <button type="button" class="secondary small" disabled={busy} onClick={() => void sync()} aria-label={`${t('int.sync')} ${number}`}>
          {t('int.sync')}
        </button>
        {(integration.status === 'active' || integration.status === 'inactive') && (
          <button type="button" class="secondary small" disabled={busy} onClick={() => void toggle()}>
            {integration.status === 'inactive' ? t('int.activate') : t('int.deactivate')}
          </button>
        )}
        <button type="button" class="danger small" disabled={busy} onClick={remove} aria-label={`${t('int.remove')} ${number}`}>
          {t('int.remove')}
        </button>
      </td>
    </tr>
  );
}

/** The monitor's findings: the balance (flagged when low) and webhooks that no longer point here. */
function MonitoringNotes({ integration }: { readonly integration: Integration }) {
  const { t } = useWorkspace();
  const balance = integration.monitoring?.balance;
  const amount = balance ? { amount: balance.amount.toFixed(2), currency: balance.currency } : null;
  return (
    <>
      {balance && amount && <small class={balance.low ? 'balance low' : 'balance'}> {t(balance.low ? 'int.balanceLow' : 'int.balance', amount)}</small>}
      {integration.monitoring?.webhookDrift && <small class="drift"> {t('int.drift')}</small>}
    </>
  );
}

type Mode = 'existing' | 'provision';

function IntegrationForm({ onCreated }: { readonly onCreated: (integration: Integration) => void }) {
  const { t, api, toast } = useWorkspace();
  const [mode, setMode] = useState<Mode>('existing');
  const [fields, setFields] = useState({ accountSid: '', authToken: '', whatsappNumber: '', friendlyName: '', countryCode: 'US', areaCode: '' });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [details, setDetails] = useState<readonly ErrorDetail[]>([]);

  const set = (name: keyof typeof fields) => (event: Event) => setFields({ ...fields, [name]: (event.target as HTMLInputElement).value });
  const fieldError = (name: string) => details.find((d) => d.field === name)?.issue;

  const submit = async (event: Event) => {
    event.preventDefault();
    const friendlyName = fields.friendlyName.trim() || undefined;
    const body: CreateIntegrationBody =
      mode === 'existing'
        ? { mode, accountSid: fields.accountSid.trim(), authToken: fields.authToken.trim(), whatsappNumber: fields.whatsappNumber.trim(), ...(friendlyName ? { friendlyName } : {}) }
        : {
            mode,
            countryCode: fields.countryCode.trim().toUpperCase(),
            ...(fields.areaCode.trim() ? { areaCode: fields.areaCode.trim() } : {}),
            ...(friendlyName ? { friendlyName } : {}),
          };
    setBusy(true);
    setProblem(null);
    setDetails([]);
    try {
      const created = await api.createIntegration(body);
      onCreated(created);
      toast(t('int.created', { number: created.whatsappNumber || created.friendlyName || created.id, status: t(`int.status.${created.status}`) }), created.status === 'error' ? 'error' : 'success');
      // The token is not kept in the page once it has been sent.
      setFields({ ...fields, accountSid: '', authToken: '', whatsappNumber: '', friendlyName: '', areaCode: '' });
    } catch (error) {
      setProblem(describeError(t, error));
      if (error instanceof ApiError) setDetails(error.details);
    } finally {
      setBusy(false);
    }
  };

  const input = (name: keyof typeof fields, label: string, props: Record<string, unknown> = {}) => {
    const issue = fieldError(name);
    return (
      <div class="field">
        <label for={`int-${name}`}>{label}</label>
        <input
          id={`int-${name}`}
          name={name}
          value={fields[name]}
          onInput={set(name)}
          autocomplete="off"
          spellcheck={false}
          aria-invalid={issue ? true : undefined}
          aria-describedby={issue ? `int-${name}-issue` : undefined}
          {...props}
        />
        {issue && (
          <small id={`int-${name}-issue`} class="field-issue">
            {issue}
          </small>
        )}
      </div>
    );
  };

  return (
    <section class="card integration-form" aria-labelledby="form-heading">
      <h2 id="form-heading">{t('form.heading')}</h2>
      <form onSubmit={(event) => void submit(event)}>
        <fieldset class="mode">
          <legend>{t('form.mode')}</legend>
          {(['existing', 'provision'] as const).map((value) => (
            <label class="radio">
              <input type="radio" name="mode" value={value} checked={mode === value} onChange={() => setMode(value)} />
              {t(`form.mode.${value}`)}
            </label>
          ))}
        </fieldset>
        {mode === 'existing' ? (
          <div class="grid">
            {input('accountSid', t('form.accountSid'), { required: true, placeholder: 'AC…', pattern: 'AC[0-9a-f]{32}' })}
            {input('authToken', t('form.authToken'), { required: true, type: 'password' })}
            {input('whatsappNumber', t('form.whatsappNumber'), { required: true, placeholder: '+14155550100', inputMode: 'tel' })}
            {input('friendlyName', t('form.friendlyName'))}
          </div>
        ) : (
          <div class="grid">
            {input('countryCode', t('form.countryCode'), { required: true, maxLength: 2, pattern: '[A-Za-z]{2}' })}
            {input('areaCode', t('form.areaCode'), { inputMode: 'numeric', pattern: '[0-9]{2,5}' })}
            {input('friendlyName', t('form.friendlyName'))}
          </div>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t('form.submitting') : t('form.submit')}
        </button>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    </section>
  );
}
