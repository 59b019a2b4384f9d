import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { browserShell, httpCounter, takeScreenToken } from './bridge.ts';
import './styles.css';

// Electron's preload has already put `window.counter` there; the browser shell builds it over
// HTTP with the screen token its one-time code is exchanged for.
async function start(): Promise<void> {
  if (!window.counter) {
    const token = await takeScreenToken();
    if (token) window.counter = httpCounter(token);
  }
  if (!window.counterShell) window.counterShell = browserShell();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void start();
