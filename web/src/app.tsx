import { useEffect, useRef, useState } from 'preact/hooks';
import { useTranslator, type Locale } from './i18n';
import { AuditPage } from './pages/audit-page';
import { BackupsPage } from './pages/backups-page';
import { ChangeManyPage } from './pages/change-many-page';
import { CoursesPage } from './pages/courses-page';
import { ImportPage, isImportEntity } from './pages/import-page';
import { JobPage } from './pages/job-page';
import { JobsPage } from './pages/jobs-page';
import { SignInPage } from './pages/sign-in-page';
import { StudentsPage } from './pages/students-page';
import { href, onLinkClick, useRoute } from './router';
import { useSession } from './session';

const JOB_PATH = /^\/jobs\/([0-9a-f-]{36})$/i;

export function App() {
  const { t, locale, setLocale } = useTranslator();
  const { session, signOut } = useSession();
  const route = useRoute();
  const [signedOutNotice, setSignedOutNotice] = useState<string | null>(null);
  const wasSignedIn = useRef(session !== null);

  useEffect(() => {
    document.title = t('appTitle');
  }, [t]);

  // A session that ends without Sign out (revoked or expired token) says so on the sign-in page.
  useEffect(() => {
    if (wasSignedIn.current && session === null && signedOutNotice === null) setSignedOutNotice(t('sessionExpired'));
    wasSignedIn.current = session !== null;
  }, [session]);

  const canReadAudit = session?.user.role === 'admin' || session?.user.role === 'auditor';
  const canImport = session?.user.role === 'admin' || session?.user.role === 'staff';
  const canManageBackups = session?.user.role === 'admin';

  const links: { to: string; label: string; show: boolean }[] = [
    { to: '/import', label: t('navImport'), show: canImport },
    // The bulk routes allow the roles of imports, admin and staff (src/bulk/bulk.controller.ts).
    { to: '/change-many', label: t('navChangeMany'), show: canImport },
    { to: '/jobs', label: t('navJobs'), show: canImport },
    { to: '/students', label: t('navStudents'), show: canImport },
    { to: '/courses', label: t('navCourses'), show: canImport },
    { to: '/audit', label: t('navAudit'), show: canReadAudit },
    { to: '/backups', label: t('navBackups'), show: canManageBackups },
  ];

  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header class="top">
        <span class="brand">{t('appTitle')}</span>
        {session === null ? null : (
          <nav aria-label={t('appTitle')}>
            <ul>
              {links
                .filter((link) => link.show)
                .map((link) => (
                  <li key={link.to}>
                    <a href={href(link.to)} aria-current={route.path.startsWith(link.to) ? 'page' : undefined}>
                      {link.label}
                    </a>
                  </li>
                ))}
            </ul>
          </nav>
        )}
        <div class="session">
          <label>
            <span class="visually-hidden">{t('language')}</span>
            <select aria-label={t('language')} value={locale} onChange={(event) => setLocale(event.currentTarget.value as Locale)}>
              <option value="en" lang="en">
                English
              </option>
              <option value="el" lang="el">
                Ελληνικά
              </option>
            </select>
          </label>
          {session === null ? null : (
            <>
              <span class="hint user">{t('signedInAs', { email: session.user.email, role: session.user.role })}</span>
              <button
                type="button"
                onClick={() => {
                  setSignedOutNotice(null);
                  wasSignedIn.current = false;
                  // signOut forgets the token whatever the server answers; its failure has nothing to show.
                  signOut().catch(() => undefined);
                }}
              >
                {t('signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session === null ? <SignInPage notice={signedOutNotice} /> : <Page path={route.path} query={route.query} canImport={canImport} canReadAudit={canReadAudit} canManageBackups={canManageBackups} />}
      </main>
    </div>
  );
}

function Page({ path, query, canImport, canReadAudit, canManageBackups }: { path: string; query: URLSearchParams; canImport: boolean; canReadAudit: boolean; canManageBackups: boolean }) {
  const { t } = useTranslator();
  const jobMatch = JOB_PATH.exec(path);
  if (canImport && (path === '/' || path === '/import')) {
    const entity = query.get('entity');
    return <ImportPage key={entity ?? 'students'} initialEntity={isImportEntity(entity) ? entity : 'students'} />;
  }
  if (canImport && path === '/change-many') return <ChangeManyPage />;
  if (canImport && path === '/jobs') return <JobsPage />;
  if (canImport && jobMatch !== null) return <JobPage key={jobMatch[1]} jobId={jobMatch[1]} />;
  if (canImport && path === '/students') return <StudentsPage />;
  if (canImport && path === '/courses') return <CoursesPage />;
  if (canReadAudit && (path === '/audit' || path === '/')) return <AuditPage />;
  if (canManageBackups && path === '/backups') return <BackupsPage />;
  return <p>{t('notFound')}</p>;
}
