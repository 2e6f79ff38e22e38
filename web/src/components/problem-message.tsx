import { ApiProblem } from '../api';
import { useTranslator } from '../i18n';
import { greekProblemTitle } from '../issue-messages';

/** An API failure shown as its problem title and detail (never "[object Object]"). */
export function ProblemMessage({ error }: { error: unknown }) {
  const { t, locale } = useTranslator();
  if (error === null || error === undefined) return null;
  if (error instanceof ApiProblem) {
    // In Greek the title is the console's own wording of the code; the service's English detail stays, for the specifics.
    const greekTitle = greekProblemTitle(error.code, locale);
    return (
      <div class="problem" role="alert" data-code={error.code}>
        <strong>{greekTitle ?? error.title}</strong>
        {error.detail === undefined ? null : <p lang={greekTitle === undefined ? undefined : 'en'}>{error.detail}</p>}
        {error.fieldMessages.length === 0 ? null : (
          <ul>
            {error.fieldMessages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  // fetch rejects with a TypeError when the network or the server is gone.
  const message = error instanceof TypeError ? t('errorNetwork') : t('errorUnexpected', { message: error instanceof Error ? error.message : JSON.stringify(error) });
  return (
    <div class="problem" role="alert">
      {message}
    </div>
  );
}
