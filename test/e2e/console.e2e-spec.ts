import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { consoleDirectory } from '../../src/console/serve-console';
import { ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, startTestApp, type TestApp } from './support/test-app';

/** Debian's chromium; .ci/run installs it when missing. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for people to look at; git-ignored. */
const SCREENSHOTS = join(__dirname, '..', '..', 'test-output');
const LARGE_ROWS = 150_000;

function largeStudentsCsv(prefix: string, rows: number): string {
  const lines = ['studentId,email,firstName,lastName,studyYear'];
  for (let index = 0; index < rows; index += 1) lines.push(`${prefix}${index},${prefix.toLowerCase()}${index}@school.example,Όνομα${index},Επώνυμο,${(index % 4) + 1}`);
  return `${lines.join('\n')}\n`;
}

describe('console: the web console in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(consoleDirectory(), 'index.html'))) throw new Error('The console is not built: run npm run build (the e2e global setup builds when stale).');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it).`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp('console');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openSignedIn(email: string, password: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
    // Reduced motion: the bar shows its value at once, so screenshots show what the page says.
    const context = await browser.newContext({ viewport, locale: 'en-GB', acceptDownloads: true, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto(`${t.baseUrl}/console/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return { context, page };
  }

  const summaryValue = (page: Page, field: string) => page.locator(`[data-summary="${field}"] dd`);

  it('serves the console at /console with a fallback to index.html, outside the API auth, without breaking /docs', async () => {
    const index = await fetch(`${t.baseUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    const deepLink = await fetch(`${t.baseUrl}/console/jobs/00000000-0000-4000-8000-000000000000`);
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain('<div id="app">');
    expect((await fetch(`${t.baseUrl}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/docs/json`)).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/api/v1/auth/me`)).status).toBe(401);
  });

  it('signs in, previews a CSV with a bad row, confirms it and follows the job to 100 %, then signs out', async () => {
    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByLabel('Invalid rows').selectOption('skip');
      const csv = ['studentId,email,firstName,lastName,studyYear', 'CON1,con1@school.example,Μαρία,Παπαδοπούλου,1', 'CON2,not-an-email,Νίκος,Γεωργίου,2', 'CON3,con3@school.example,Ελένη,Νικολάου,3', ''].join('\n');
      // A real drop: the file travels in a DataTransfer, as from the desktop.
      const dataTransfer = await page.evaluateHandle((content) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([content], 'students.csv', { type: 'text/csv' }));
        return transfer;
      }, csv);
      await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer });

      await page.getByRole('heading', { name: 'Preview of students.csv' }).waitFor();
      expect(await summaryValue(page, 'totalRows').textContent()).toBe('3');
      expect(await summaryValue(page, 'validRows').textContent()).toBe('2');
      expect(await summaryValue(page, 'invalidRows').textContent()).toBe('1');
      expect(await summaryValue(page, 'create').textContent()).toBe('2');
      const badRow = page.locator('table.issues tbody tr', { hasText: 'not-an-email' });
      await badRow.waitFor();
      expect(await badRow.locator('td').first().textContent()).toBe('3');
      expect(await badRow.locator('td').nth(4).textContent()).toBe('email must be an email address such as name@school.example');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-preview.png'), fullPage: true });

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download rejected rows (CSV)' }).click();
      expect((await download).suggestedFilename()).toMatch(/\.csv$/);

      await page.getByRole('button', { name: 'Confirm and import' }).click();
      await page.waitForURL(/\/console\/jobs\/[0-9a-f-]{36}$/);
      const bar = page.getByRole('progressbar');
      await page.waitForFunction(() => document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '100', undefined, { timeout: 30_000 });
      expect(await bar.getAttribute('aria-valuenow')).toBe('100');
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor();
      expect(await page.locator('[data-count="created"] dd').textContent()).toBe('2');
      expect(await page.locator('[data-count="rejected"] dd').textContent()).toBe('1');
      expect(await page.getByRole('button', { name: 'Cancel job' }).count()).toBe(0);
      await page.screenshot({ path: join(SCREENSHOTS, 'console-job-monitor.png'), fullPage: true });

      await page.getByRole('link', { name: 'Students', exact: true }).click();
      await page.getByRole('cell', { name: 'CON3', exact: true }).waitFor();
      await page.getByLabel('Search').fill('Νικολάου');
      await page.getByRole('cell', { name: 'CON1', exact: true }).waitFor({ state: 'detached' });
      expect(await page.getByRole('cell', { name: 'CON3', exact: true }).count()).toBe(1);

      await page.getByRole('link', { name: 'Jobs' }).click();
      await page.getByRole('cell', { name: 'Completed' }).first().waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('shows an API problem as its title and detail', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    try {
      await page.goto(`${t.baseUrl}/console/`);
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      expect(text).not.toContain('[object Object]');
      expect(text).toMatch(/Unauthorized|credentials|password/i);
    } finally {
      await context.close();
    }
  });

  it('starts a large import and cancels it from the monitor', async () => {
    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.locator('input[type="file"]').setInputFiles({ name: 'large.csv', mimeType: 'text/csv', buffer: Buffer.from(largeStudentsCsv('CONBIG', LARGE_ROWS)) });
      await page.getByRole('heading', { name: 'Preview of large.csv' }).waitFor({ timeout: 60_000 });
      expect(await summaryValue(page, 'create').textContent()).toBe(new Intl.NumberFormat('en').format(LARGE_ROWS));
      await page.getByRole('button', { name: 'Confirm and import' }).click();
      await page.waitForURL(/\/console\/jobs\//);
      const cancel = page.getByRole('button', { name: 'Cancel job' });
      await cancel.click();
      await page.getByRole('status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 60_000 });
      expect(await cancel.count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('switches to Greek and stays readable at 320 px', async () => {
    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD, { width: 320, height: 700 });
    try {
      await page.getByLabel('Language').selectOption('el');
      await page.getByRole('heading', { name: 'Εισαγωγή καταλόγου' }).waitFor();
      expect(await page.getByRole('button', { name: 'Αποσύνδεση' }).count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Μαθητές' }).count()).toBe(1);
      expect(await page.getByLabel('Λανθασμένες γραμμές').count()).toBe(1);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('el');
      // Readable at 320 px: nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await page.screenshot({ path: join(SCREENSHOTS, 'console-greek-320px.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('exports the students list from the Students page in the chosen format', async () => {
    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByRole('link', { name: 'Students' }).click();
      await page.getByLabel('Export format').selectOption('ndjson');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/\.ndjson$/);
      const path = await file.path();
      const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
      const total = (await t.admin.GET('/api/v1/students', { params: { query: { limit: 1 } } })).data?.total;
      expect(lines).toHaveLength(total ?? -1);
    } finally {
      await context.close();
    }
  });

  it('shows the audit page to an auditor and hides it from staff', async () => {
    const auditor = await t.userWithRole('auditor');
    const staff = await t.userWithRole('staff');

    const asAuditor = await openSignedIn(auditor.user.email, USER_PASSWORD);
    try {
      await asAuditor.page.getByRole('link', { name: 'Audit' }).click();
      await asAuditor.page.getByRole('heading', { name: 'Audit log' }).waitFor();
      await asAuditor.page.getByRole('cell', { name: 'login' }).first().waitFor();
      expect(await asAuditor.page.getByRole('link', { name: 'Import' }).count()).toBe(0);
    } finally {
      await asAuditor.context.close();
    }

    const asStaff = await openSignedIn(staff.user.email, USER_PASSWORD);
    try {
      expect(await asStaff.page.getByRole('link', { name: 'Import' }).count()).toBe(1);
      expect(await asStaff.page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
      await asStaff.page.goto(`${t.baseUrl}/console/audit`);
      await asStaff.page.getByText('This page does not exist.').waitFor();
    } finally {
      await asStaff.context.close();
    }
  });
});
