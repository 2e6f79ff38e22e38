import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { consoleDirectory } from '../../src/console/serve-console';
import { previewImport, studentsCsv, waitForJob, type Job } from './support/imports';
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
  // Backups of this file's own, so that the Backups page lists only those.
  const backupDirectory = mkdtempSync(join(tmpdir(), 'console-backups-'));

  beforeAll(async () => {
    if (!existsSync(join(consoleDirectory(), 'index.html'))) throw new Error('The console is not built: run npm run build (the e2e global setup builds when stale).');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it).`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp('console', { BACKUP_DIR: backupDirectory });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(backupDirectory, { recursive: true, force: true });
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

  /** Imports a students CSV through the typed client and waits for its job; onInvalid=skip so bad rows are left out. */
  async function importStudents(name: string, csv: string): Promise<Job> {
    const preview = await previewImport(t.admin, { name, content: csv }, { entity: 'students', onInvalid: 'skip' });
    expect(preview.response.status).toBe(201);
    // The console's own database is small, so any update is a large share of it: confirmed here, the guard is not what this file tests.
    const commit = await t.admin.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id: preview.data?.id ?? '' } }, body: { confirmMassChange: true } });
    expect(commit.response.status).toBe(202);
    const job = await waitForJob(t.baseUrl, t.adminToken, (commit.data as Job).id);
    expect(job.status).toBe('completed');
    return job;
  }

  async function studentByStudentId(studentId: string) {
    const page = await t.admin.GET('/api/v1/students', { params: { query: { search: studentId, limit: 5 } } });
    return page.data?.items.find((item) => item.studentId === studentId) ?? null;
  }

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

  it('explains an import on its job page and undoes it there: rejected rows, provenance, dry-run counts, confirm, the undo job', async () => {
    await importStudents('before.csv', studentsCsv([{ studentId: 'UNDO1', email: 'undo1@school.example', firstName: 'Πρώτη', lastName: 'Τιμή', studyYear: '1' }]));
    const job = await importStudents(
      'undo.csv',
      studentsCsv([
        { studentId: 'UNDO1', email: 'undo1@school.example', firstName: 'Αλλαγμένη', lastName: 'Τιμή', studyYear: '2' },
        { studentId: 'UNDO2', email: 'undo2@school.example', firstName: 'Νέα', lastName: 'Μαθήτρια', studyYear: '1' },
        { studentId: 'UNDO3', email: 'not-an-email', firstName: 'Λάθος', lastName: 'Γραμμή', studyYear: '1' },
      ]),
    );
    expect(job.result?.counts).toMatchObject({ created: 1, updated: 1, rejected: 1 });

    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByRole('link', { name: 'Jobs' }).click();
      const row = page.getByRole('row').filter({ hasText: 'undo.csv' });
      await row.waitFor();
      expect(await row.textContent()).toContain('Created 1');
      await row.getByRole('link', { name: 'Open' }).click();

      await page.getByRole('heading', { name: 'Import of undo.csv (Students)' }).waitFor();
      const rejected = page.getByTestId('rejected-rows').getByRole('row').filter({ hasText: 'not-an-email' });
      await rejected.waitFor();
      expect(await rejected.locator('td').first().textContent()).toBe('4');
      expect(await rejected.locator('td').nth(1).textContent()).toBe('Email');
      expect(await rejected.locator('td').nth(2).textContent()).toBe('email must be an email address such as name@school.example');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download rejected rows (CSV)' }).click();
      expect(readFileSync(await (await download).path(), 'utf8')).toContain('not-an-email');

      const records = page.getByTestId('import-records');
      await records.getByRole('row').filter({ hasText: 'UNDO2' }).filter({ hasText: 'Created' }).waitFor();
      expect(await records.getByRole('row').filter({ hasText: 'UNDO1' }).textContent()).toContain('Updated');
      expect(await records.getByRole('row').filter({ hasText: 'UNDO1' }).textContent()).toContain('undo.csv, row 2');
      await page.getByLabel('Outcome').selectOption('created');
      await records.getByRole('row').filter({ hasText: 'UNDO1' }).waitFor({ state: 'detached' });
      expect(await records.getByRole('row').filter({ hasText: 'UNDO2' }).count()).toBe(1);
      await page.screenshot({ path: join(SCREENSHOTS, 'console-import-job.png'), fullPage: true });

      await page.getByRole('button', { name: 'Undo this import' }).click();
      const undoCount = (name: string) => page.locator(`[data-undo-count="${name}"] dd`);
      await undoCount('created').waitFor();
      expect(await undoCount('created').textContent()).toBe('1');
      expect(await undoCount('updated').textContent()).toBe('1');
      expect(await undoCount('restored').textContent()).toBe('0');
      expect(await undoCount('conflicts').textContent()).toBe('0');
      // The dry run wrote nothing.
      expect((await studentByStudentId('UNDO1'))?.firstName).toBe('Αλλαγμένη');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-undo-dry-run.png'), fullPage: true });

      await page.getByRole('button', { name: 'Confirm the undo' }).click();
      await page.waitForURL((url) => /\/console\/jobs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(job.id));
      await page.getByRole('heading', { name: /^Undo of import/ }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-count="created"] dt').textContent()).toBe('Created records deleted');
      expect(await page.locator('[data-count="created"] dd').textContent()).toBe('1');

      expect((await studentByStudentId('UNDO1'))?.firstName).toBe('Πρώτη');
      expect((await studentByStudentId('UNDO1'))?.studyYear).toBe(1);
      expect(await studentByStudentId('UNDO2')).toBeNull();

      // Back on the import's page, a second undo is refused with the service's reason.
      await page.getByRole('heading').getByRole('link').click();
      await page.getByRole('button', { name: 'Undo this import' }).click();
      await page.getByRole('alert').filter({ hasText: /undone/i }).waitFor();
    } finally {
      await context.close();
    }
  }, 90_000);

  it('shows the records changed since an import before its undo, and undoes the rest only when told to leave them', async () => {
    const job = await importStudents(
      'conflict.csv',
      studentsCsv([
        { studentId: 'CONFLICT1', email: 'conflict1@school.example', firstName: 'Πρώτη', lastName: 'Τιμή', studyYear: '1' },
        { studentId: 'CONFLICT2', email: 'conflict2@school.example', firstName: 'Δεύτερη', lastName: 'Τιμή', studyYear: '1' },
      ]),
    );
    const changed = await studentByStudentId('CONFLICT1');
    expect((await t.admin.PATCH('/api/v1/students/{id}', { params: { path: { id: changed?.id ?? 0 } }, body: { firstName: 'Αλλαγή' } })).response.status).toBe(200);

    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.goto(`${t.baseUrl}/console/jobs/${job.id}`);
      const records = page.getByTestId('import-records');
      await records.getByRole('row').filter({ hasText: 'CONFLICT1' }).filter({ hasText: 'Yes' }).waitFor();
      expect(await records.getByRole('row').filter({ hasText: 'CONFLICT2' }).locator('td').nth(3).textContent()).toBe('No');

      await page.getByRole('button', { name: 'Undo this import' }).click();
      await page.locator('[data-undo-count="conflicts"] dd').filter({ hasText: '1' }).waitFor();
      expect(await page.locator('[data-undo-count="created"] dd').textContent()).toBe('1');
      expect(await page.locator('ul.conflicts').textContent()).toContain('CONFLICT1');
      const confirm = page.getByRole('button', { name: 'Confirm the undo' });
      expect(await confirm.isDisabled()).toBe(true);
      expect(await page.locator('#undo-blocked').textContent()).toContain('1 records changed since the import');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download the changed records (CSV)' }).click();
      expect(readFileSync(await (await download).path(), 'utf8')).toContain('CONFLICT1');

      await page.getByLabel('Leave the changed records as they are and undo the rest').check();
      await confirm.click();
      await page.getByRole('heading', { name: /^Undo of import/ }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-count="conflicts"] dd').textContent()).toBe('1');
    } finally {
      await context.close();
    }
    expect((await studentByStudentId('CONFLICT1'))?.firstName).toBe('Αλλαγή');
    expect(await studentByStudentId('CONFLICT2')).toBeNull();
  }, 90_000);

  it('asks for the mass-change confirmation before Confirm imports a file that changes many existing students', async () => {
    const people = Array.from({ length: 10 }, (_, index) => ({ studentId: `MASS${index}`, email: `mass${index}@school.example`, firstName: 'Όνομα', lastName: 'Επώνυμο', studyYear: '1' }));
    await importStudents('mass-before.csv', studentsCsv(people));

    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      // Every one of them changes year: far more than 20 % of the students, whatever else this file's tests wrote.
      const csv = studentsCsv(people.map((person) => ({ ...person, studyYear: '2' })));
      await page.locator('input[type="file"]').setInputFiles({ name: 'mass.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('heading', { name: 'Preview of mass.csv' }).waitFor();
      const confirm = page.getByRole('button', { name: 'Confirm and import' });
      expect(await confirm.isDisabled()).toBe(true);
      expect(await page.getByTestId('commit-blockers').textContent()).toContain('This import changes many existing records');
      expect(await page.getByRole('group', { name: 'Many existing records change' }).textContent()).toContain('updates or restores 10 of the');

      await page.getByLabel('I have checked the file: change them').check();
      expect(await page.getByTestId('commit-blockers').count()).toBe(0);
      await confirm.click();
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-count="updated"] dd').textContent()).toBe('10');
    } finally {
      await context.close();
    }
    expect((await studentByStudentId('MASS9'))?.studyYear).toBe(2);
  }, 90_000);

  it('words issue messages, field names and why Confirm is disabled in Greek, from the issue codes', async () => {
    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByLabel('Language').selectOption('el');
      const csv = studentsCsv([
        { studentId: 'GR1', email: 'gr1@school.example', firstName: 'Άννα', lastName: 'Καλή', studyYear: '1' },
        { studentId: 'GR2', email: 'not-an-email', firstName: 'Λάθος', lastName: 'Γραμμή', studyYear: '9' },
      ]);
      await page.locator('input[type="file"]').setInputFiles({ name: 'greek.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('heading', { name: 'Προεπισκόπηση του greek.csv' }).waitFor();
      const issues = page.locator('table.issues tbody');
      await issues.getByRole('row').filter({ hasText: 'not-an-email' }).waitFor();
      expect(await issues.getByRole('row').filter({ hasText: 'not-an-email' }).locator('td').nth(4).textContent()).toBe('Το πεδίο «Ηλ. Ταχυδρομείο» θέλει διεύθυνση email, όπως name@school.example.');
      expect(await issues.getByRole('row').filter({ hasText: 'invalid_study_year' }).locator('td').nth(4).textContent()).toBe("Το πεδίο «Έτος Σπουδών» θέλει έτος σπουδών από 1 έως 6, όπως 1, Α' ή ΣΤ'.");
      expect(await page.getByRole('button', { name: 'Επιβεβαίωση και εισαγωγή' }).isDisabled()).toBe(true);
      expect(await page.getByTestId('commit-blockers').textContent()).toContain('1 γραμμές είναι λανθασμένες');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-greek-issues.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('lists, takes and offers to restore backups on the Backups page for an admin, and hides it from staff', async () => {
    const started = await t.admin.POST('/api/v1/backups', { body: {} });
    expect(started.response.status).toBe(202);
    expect((await waitForJob(t.baseUrl, t.adminToken, started.data?.id ?? '')).status).toBe('completed');

    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByRole('link', { name: 'Backups' }).click();
      const rows = page.getByTestId('backups').locator('tbody tr');
      await rows.filter({ hasText: ADMIN_EMAIL }).first().waitFor();
      expect(await rows.count()).toBe(1);

      await page.getByRole('button', { name: 'Take a backup' }).click();
      await page.getByTestId('backup-job').getByText('Completed').waitFor({ timeout: 30_000 });
      await rows.nth(1).waitFor();
      expect(await rows.count()).toBe(2);

      const download = page.waitForEvent('download');
      await rows.first().getByRole('button', { name: 'Download' }).click();
      expect((await download).suggestedFilename()).toMatch(/\.tar\.gz$/);

      // Restore asks first; Cancel leaves everything as it is.
      await rows.first().getByRole('button', { name: 'Restore…' }).click();
      await page.getByRole('button', { name: 'Restore this backup' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'console-backups.png'), fullPage: true });
      await page.getByRole('group', { name: 'Restore…' }).getByRole('button', { name: 'Cancel' }).click();
      expect(await page.getByRole('button', { name: 'Restore this backup' }).count()).toBe(0);
    } finally {
      await context.close();
    }

    const staff = await t.userWithRole('staff');
    const asStaff = await openSignedIn(staff.user.email, USER_PASSWORD);
    try {
      expect(await asStaff.page.getByRole('link', { name: 'Backups' }).count()).toBe(0);
      await asStaff.page.goto(`${t.baseUrl}/console/backups`);
      await asStaff.page.getByText('This page does not exist.').waitFor();
    } finally {
      await asStaff.context.close();
    }
  }, 90_000);
  /** Every student, by student id: what a bulk change must leave alone is compared with this. */
  async function allStudents() {
    const page = await t.admin.GET('/api/v1/students', { params: { query: { limit: 500 } } });
    expect(page.response.status).toBe(200);
    expect(page.data?.total).toBeLessThanOrEqual(500);
    return new Map((page.data?.items ?? []).map((student) => [student.studentId, student]));
  }

  async function createStudents(people: { studentId: string; studyYear: number; classDivision: string }[]): Promise<void> {
    for (const person of people) {
      const created = await t.admin.POST('/api/v1/students', {
        body: { ...person, email: `${person.studentId.toLowerCase()}@school.example`, firstName: 'Όνομα', lastName: 'Επώνυμο' },
      });
      expect(created.response.status).toBe(201);
    }
  }

  it('changes many students from Change many: filter, change set, exact preview, mass-change confirmation, the job, exactly those students changed, and the undo from the job page', async () => {
    // Twelve first-years of A1 to promote; beside them a second-year of A1 and a first-year of A2 the filter must not match.
    // Twelve is far more than 20 % of the students, whatever else this file's tests wrote, so the guard asks.
    const promoted = Array.from({ length: 12 }, (_, index) => `PROMO${String(index + 1).padStart(2, '0')}`);
    await createStudents([
      ...promoted.map((studentId) => ({ studentId, studyYear: 1, classDivision: 'A1' })),
      { studentId: 'PROMOY2', studyYear: 2, classDivision: 'A1' },
      { studentId: 'PROMOA2', studyYear: 1, classDivision: 'A2' },
    ]);
    const before = await allStudents();

    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByRole('link', { name: 'Change many' }).click();
      await page.getByRole('heading', { name: 'Change many records' }).waitFor();
      const filter = page.getByRole('group', { name: 'Which records' });
      await filter.getByLabel('Study year', { exact: true }).fill('1');
      await filter.getByLabel('Class division', { exact: true }).fill('A1');
      await page.getByLabel('Change of Class division').selectOption('set');
      await page.getByLabel('New value of Class division').fill('B1');
      await page.getByLabel('Change of Study year').selectOption('increment');
      await page.getByLabel('Amount to add to Study year').fill('1');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();

      await page.getByRole('heading', { name: 'Preview: change of Students' }).waitFor();
      const count = (name: string) => page.locator(`[data-bulk-count="${name}"] dd`).textContent();
      expect(await count('matched')).toBe('12');
      expect(await count('changing')).toBe('12');
      expect(await count('invalid')).toBe('0');
      const sample = page.getByTestId('bulk-sample');
      expect(await sample.locator('tbody tr').count()).toBe(12);
      expect(await sample.locator('thead th').allTextContents()).toEqual(['Record', 'Study year', 'Class division']);
      expect(await sample.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['PROMO01', '1 → 2', 'A1 → B1']);
      expect(await page.getByTestId('bulk-invalid').count()).toBe(0);

      const confirm = page.getByRole('button', { name: 'Confirm the change' });
      expect(await confirm.isDisabled()).toBe(true);
      expect(await page.getByTestId('commit-blockers').textContent()).toContain('This change writes many existing records');
      expect(await page.getByRole('group', { name: 'Many existing records change' }).textContent()).toContain('This change writes 12 of the');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-change-many.png'), fullPage: true });
      await page.getByLabel('I have checked the preview: change them').check();
      expect(await page.getByTestId('commit-blockers').count()).toBe(0);
      await confirm.click();

      await page.waitForURL(/\/console\/jobs\/[0-9a-f-]{36}$/);
      const jobId = new URL(page.url()).pathname.split('/').pop() ?? '';
      await page.getByRole('heading', { name: 'Change of Students' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-count="matched"] dd').textContent()).toBe('12');
      expect(await page.locator('[data-count="updated"] dd').textContent()).toBe('12');
      const records = page.getByTestId('import-records');
      await records.getByRole('row').filter({ hasText: 'PROMO01' }).filter({ hasText: 'Updated' }).waitFor();
      expect(await page.getByRole('heading', { name: 'What this change wrote' }).count()).toBe(1);

      // Exactly the twelve changed: every other student is as it was, field for field.
      const after = await allStudents();
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [studentId, student] of after) {
        if (promoted.includes(studentId)) {
          expect({ studentId, studyYear: student.studyYear, classDivision: student.classDivision, lastImport: student.lastImport?.jobId }).toEqual({ studentId, studyYear: 2, classDivision: 'B1', lastImport: jobId });
        } else {
          expect(student).toEqual(before.get(studentId));
        }
      }

      // The job page undoes a bulk change as it undoes an import: dry-run counts, confirm, the undo job.
      await page.getByRole('button', { name: 'Undo this change' }).click();
      await page.locator('[data-undo-count="updated"] dd').waitFor();
      expect(await page.locator('[data-undo-count="updated"] dd').textContent()).toBe('12');
      expect(await page.locator('[data-undo-count="conflicts"] dd').textContent()).toBe('0');
      expect(await page.locator('[data-undo-count="created"]').count()).toBe(0);
      await page.getByRole('button', { name: 'Confirm the undo' }).click();
      await page.waitForURL((url) => /\/console\/jobs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(jobId));
      await page.getByRole('heading', { name: /^Undo of change/ }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
    const undone = await allStudents();
    for (const studentId of promoted) expect({ studentId, studyYear: undone.get(studentId)?.studyYear, classDivision: undone.get(studentId)?.classDivision }).toEqual({ studentId, studyYear: 1, classDivision: 'A1' });
  }, 90_000);

  it('lists the students a change would make invalid with the reason in Greek, and Confirm waits for "leave them as they are"', async () => {
    await createStudents([
      { studentId: 'LASTYEAR1', studyYear: 6, classDivision: 'Z9' },
      { studentId: 'LASTYEAR2', studyYear: 5, classDivision: 'Z9' },
    ]);
    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByLabel('Language').selectOption('el');
      await page.getByRole('link', { name: 'Μαζικές αλλαγές' }).click();
      await page.getByRole('group', { name: 'Ποιες εγγραφές' }).getByLabel('Τμήμα', { exact: true }).fill('Z9');
      await page.getByLabel('Αλλαγή του πεδίου Έτος Σπουδών').selectOption('increment');
      await page.getByLabel('Ποσό που προστίθεται στο πεδίο Έτος Σπουδών').fill('1');
      await page.getByRole('button', { name: 'Προεπισκόπηση', exact: true }).click();

      await page.getByRole('heading', { name: 'Προεπισκόπηση: αλλαγή σε Μαθητές' }).waitFor();
      expect(await page.locator('[data-bulk-count="matched"] dd').textContent()).toBe('2');
      expect(await page.locator('[data-bulk-count="changing"] dd').textContent()).toBe('1');
      expect(await page.locator('[data-bulk-count="invalid"] dd').textContent()).toBe('1');
      const invalid = page.getByTestId('bulk-invalid').locator('tbody tr');
      expect(await invalid.count()).toBe(1);
      expect(await invalid.locator('td').allTextContents()).toEqual(['LASTYEAR1', 'Έτος Σπουδών', 'Το πεδίο «Έτος Σπουδών» θέλει τιμή από 1 έως 6.', '7']);
      expect(await page.getByRole('button', { name: 'Επιβεβαίωση αλλαγής' }).isDisabled()).toBe(true);
      const blockers = page.getByTestId('commit-blockers');
      expect(await blockers.textContent()).toContain('1 εγγραφές θα γίνονταν λανθασμένες');
      await page.screenshot({ path: join(SCREENSHOTS, 'console-change-many-invalid.png'), fullPage: true });

      await page.getByLabel('Εγγραφές που θα γίνονταν λανθασμένες').selectOption('skip');
      await page.waitForFunction(() => !(document.querySelector('[data-testid="commit-blockers"]')?.textContent ?? '').includes('λανθασμένες'));
    } finally {
      await context.close();
    }
  });
  it('deletes the courses a filter matches from Change many, says what happens to their enrollments, and undoes the deletion from the job page', async () => {
    await createStudents([{ studentId: 'CLOSEDST1', studyYear: 3, classDivision: 'C1' }, { studentId: 'CLOSEDST2', studyYear: 3, classDivision: 'C1' }]);
    const course = await t.admin.POST('/api/v1/courses', { body: { courseCode: 'CLOSED1', courseName: 'Κλειστό μάθημα', semester: 'CLOSED-2026' } });
    expect(course.response.status).toBe(201);
    await t.admin.POST('/api/v1/courses', { body: { courseCode: 'OPEN1', courseName: 'Ανοιχτό μάθημα', semester: 'OPEN-2026' } });
    for (const studentId of ['CLOSEDST1', 'CLOSEDST2']) {
      expect((await t.admin.POST('/api/v1/enrollments', { body: { studentId, courseCode: 'CLOSED1', enrolledAt: '2026-09-01' } })).response.status).toBe(201);
    }
    const enrollmentsOfClosed = async () => (await t.admin.GET('/api/v1/enrollments', { params: { query: { courseCode: 'CLOSED1' } } })).data?.total;
    const courseCodes = async () => (await t.admin.GET('/api/v1/courses', { params: { query: { limit: 500 } } })).data?.items.map((item) => item.courseCode).sort();
    expect(await enrollmentsOfClosed()).toBe(2);
    const coursesBefore = await courseCodes();

    const { context, page } = await openSignedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    try {
      await page.getByRole('link', { name: 'Change many' }).click();
      await page.getByLabel('Kind of records').selectOption('courses');
      await page.getByLabel('What to do').selectOption('delete');
      await page.getByRole('group', { name: 'Which records' }).getByLabel('Semester', { exact: true }).fill('CLOSED-2026');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();

      await page.getByRole('heading', { name: 'Preview: deletion of Courses' }).waitFor();
      expect(await page.locator('[data-bulk-count="matched"] dd').textContent()).toBe('1');
      expect(await page.locator('[data-bulk-count="changing"] dd').textContent()).toBe('1');
      expect(await page.getByTestId('bulk-sample').locator('tbody td').allTextContents()).toEqual(['CLOSED1', 'Deleted']);
      expect(await page.getByTestId('bulk-enrollments').textContent()).toMatch(/^2 enrollments in these courses stay stored but are hidden/);
      // One course of two or more is past 20 % of the courses: the guard asks.
      await page.getByLabel('I have checked the preview: change them').check();
      await page.getByRole('button', { name: 'Confirm the deletion' }).click();

      await page.getByRole('heading', { name: 'Deletion of Courses' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-count="deleted"] dd').textContent()).toBe('1');
      await page.getByTestId('import-records').getByRole('row').filter({ hasText: 'CLOSED1' }).filter({ hasText: 'Deleted' }).waitFor();
      expect(await courseCodes()).toEqual(coursesBefore?.filter((code) => code !== 'CLOSED1'));
      expect(await enrollmentsOfClosed()).toBe(0);

      await page.getByRole('button', { name: 'Undo this change' }).click();
      await page.locator('[data-undo-count="deleted"] dd').waitFor();
      expect(await page.locator('[data-undo-count="deleted"] dd').textContent()).toBe('1');
      expect(await page.locator('[data-undo-count="deleted"] dt').textContent()).toBe('Restore the records it deleted');
      await page.getByRole('button', { name: 'Confirm the undo' }).click();
      await page.getByRole('heading', { name: /^Undo of deletion/ }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Completed' }).waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
    expect(await courseCodes()).toEqual(coursesBefore);
    expect(await enrollmentsOfClosed()).toBe(2);
  }, 90_000);
});
