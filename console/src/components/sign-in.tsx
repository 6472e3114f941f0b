import { useState } from 'preact/hooks';
import { ApiClient, ApiError, type ConsoleConfig } from '../api';
import type { Translate } from '../i18n';
import { readSession, type Session } from '../session';

interface Props {
  readonly t: Translate;
  readonly config: ConsoleConfig | null;
  readonly onSignedIn: (session: Session) => void;
}

export function SignIn({ t, config, onSignedIn }: Props) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const attempt = async (raw: string) => {
    const session = readSession(raw);
    if (session === 'invalid' || session === 'expired') {
      setProblem(t(session === 'invalid' ? 'signin.invalid' : 'signin.expired'));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      // One cheap authenticated call: the service, not the console, decides whether the token is good.
      await new ApiClient(session.token).listTickets({}, null, 1);
      onSignedIn(session);
    } catch (error) {
      setProblem(error instanceof ApiError && error.status !== 0 ? t('signin.refused', { message: error.message }) : t('error.network'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>{t('app.title')}</h1>
      <section aria-labelledby="signin-heading" class="card">
        <h2 id="signin-heading">{t('signin.title')}</h2>
        <p>{t('signin.intro')}</p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void attempt(token);
          }}
        >
          <label for="token">{t('signin.token')}</label>
          <textarea
            id="token"
            name="token"
            rows={4}
            spellcheck={false}
            autocomplete="off"
            value={token}
            onInput={(event) => setToken((event.target as HTMLTextAreaElement).value)}
            aria-describedby={problem ? 'signin-problem' : undefined}
            aria-invalid={problem ? true : undefined}
            required
          />
          <button type="submit" disabled={busy || token.trim() === ''}>
            {busy ? t('signin.checking') : t('signin.submit')}
          </button>
        </form>
        {config?.demo && (
          <div class="demo" role="group" aria-labelledby="demo-heading">
            <h3 id="demo-heading">{t('signin.demo')}</h3>
            <button type="button" disabled={busy} onClick={() => void attempt(config.demo!.agentToken)}>
              {t('signin.demoAgent')}
            </button>
            <button type="button" disabled={busy} onClick={() => void attempt(config.demo!.adminToken)}>
              {t('signin.demoAdmin')}
            </button>
          </div>
        )}
        {problem && (
          <p id="signin-problem" class="problem" role="alert">
            {problem}
          </p>
        )}
      </section>
    </main>
  );
}
