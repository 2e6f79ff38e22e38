import { render } from 'preact';
import { App } from './app';
import { TranslatorProvider } from './i18n';
import { SessionProvider } from './session';
import './styles.css';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');
render(
  <TranslatorProvider>
    <SessionProvider>
      <App />
    </SessionProvider>
  </TranslatorProvider>,
  root,
);
