import { useState } from 'preact/hooks';
import { dataOrThrow } from '../api';
import { ProblemMessage } from '../components/problem-message';
import { useTranslator } from '../i18n';
import { useSession } from '../session';

export function SignInPage({ notice }: { notice: string | null }) {
  const { t } = useTranslator();
  const { client, signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = dataOrThrow(await client.POST('/api/v1/auth/login', { body: { email, password } }));
      signIn({ accessToken: answer.accessToken, user: answer.user });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signInTitle')}</h1>
      {notice === null ? null : <p class="warning">{notice}</p>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label class="field">
          <span>{t('email')}</span>
          <input type="email" name="email" autocomplete="username" required value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('password')}</span>
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(event) => setPassword(event.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
      <ProblemMessage error={error} />
    </section>
  );
}
