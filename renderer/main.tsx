import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { browserShell, httpCounter, takeToken } from './bridge.ts';
import './styles.css';

// Electron's preload has already put `window.counter` there; the browser shell builds it over HTTP.
if (!window.counter) {
  const token = takeToken();
  if (token) window.counter = httpCounter(token);
}
if (!window.counterShell) window.counterShell = browserShell();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
