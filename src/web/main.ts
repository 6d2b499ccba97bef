// Entry of the browser app.
// PixiJS generates its uniform and shader sync code with `new Function` unless this module is
// loaded; with it, the strict Content-Security-Policy (no 'unsafe-eval') holds.
import 'pixi.js/unsafe-eval';
import { App } from './app.js';

const root = document.getElementById('app') ?? document.body;
new App(root).start().catch((error: unknown) => {
  const message = document.createElement('p');
  message.className = 'fatal';
  message.textContent = `kubeglance could not start: ${error instanceof Error ? error.message : String(error)}`;
  root.append(message);
  throw error;
});
