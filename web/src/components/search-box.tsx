import { useEffect, useState } from 'preact/hooks';
import { useTranslator } from '../i18n';

const SEARCH_DELAY_MILLISECONDS = 300;

/** A search field that reports its text once typing pauses, so each keystroke is not a request. */
export function SearchBox({ hint, onSearch }: { hint: string; onSearch(text: string): void }) {
  const { t } = useTranslator();
  const [text, setText] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => onSearch(text.trim()), SEARCH_DELAY_MILLISECONDS);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <label class="field search">
      <span>{t('search')}</span>
      <input type="search" value={text} placeholder={hint} maxLength={100} onInput={(event) => setText(event.currentTarget.value)} />
    </label>
  );
}
