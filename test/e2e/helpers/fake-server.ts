// The frame of the browser tests against an in-process server whose only cluster is a FakeSource:
// one Chromium for the test file, a server per test (stopped after it), and pages that must log no
// error and open no dialog. Needs dist/web (npm run build:web).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { ClusterStatus } from '../../../src/model/cluster-status.js';
import type { ClusterRecord } from '../../../src/model/records.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { FakeSource } from '../../../src/server/testing/fixtures.js';
import { launchBrowser, newPage, saveScreenshot, type OpenedPage } from '../../support/browser.js';

const WEB_INDEX = path.resolve(import.meta.dirname, '../../../dist/web/index.html');
/** The id of the one cluster. */
export const FAKE_CLUSTER = 'fake';

export interface FakeServer {
  source: FakeSource;
  url: string;
}

export interface CheckedPage extends OpenedPage {
  /** Messages of every alert/confirm/prompt the page opened (there must be none). */
  dialogs: string[];
}

export interface FakeServers {
  /** A kubeglance server on a free port whose one cluster is a FakeSource named `name`, started with `records` and `status`. */
  serve(options: { name: string; records: ClusterRecord[]; status: ClusterStatus }): Promise<FakeServer>;
  /**
   * Opens url, waits until `ready` resolves (its error then carries the page's console), runs the
   * body with what `ready` returned, and always leaves the screenshot `screenshot`; then the page
   * must have logged no error and opened no dialog.
   */
  withPage<T>(screenshot: string, url: string, ready: (page: Page) => Promise<T>, body: (opened: CheckedPage, first: T) => Promise<void>): Promise<void>;
}

/** Registers the file's hooks (browser, servers) and returns what its tests use. Call it at the top of a test file. */
export function useFakeServers(): FakeServers {
  let browser: Browser;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: run \`npm run build:web\` before the e2e tests`);
    browser = await launchBrowser();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  afterAll(async () => {
    await browser?.close();
  });

  return {
    async serve({ name, records, status }) {
      const source = new FakeSource(FAKE_CLUSTER, name);
      const server = await startServer({ sources: [source], host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
      servers.push(server);
      source.emit(...records.map((record) => ({ type: 'upsert' as const, record })), { type: 'status', status });
      return { source, url: server.url };
    },

    async withPage(screenshot, url, ready, body) {
      const dialogs: string[] = [];
      const opened = await newPage(browser, url, {
        setup: (page) =>
          page.on('dialog', (dialog) => {
            dialogs.push(`${dialog.type()}: ${dialog.message()}`);
            void dialog.dismiss();
          }),
      });
      try {
        const first = await ready(opened.page).catch((error: unknown) => {
          // The page's own log usually says why it never drew (a failed start, a refused request).
          throw new Error(`${String(error)}\npage console:\n${opened.console.join('\n')}`);
        });
        await body({ ...opened, dialogs }, first);
      } finally {
        await saveScreenshot(opened.page, screenshot).catch(() => {});
        await opened.page.close();
      }
      expect(opened.errors, opened.console.join('\n')).toEqual([]);
      expect(dialogs).toEqual([]);
    },
  };
}
