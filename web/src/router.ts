import { useEffect, useState } from 'preact/hooks';

const BASE = '/console';

/** The console's own path (after /console), e.g. "/jobs/…", with its query. */
function currentRoute(): { path: string; query: URLSearchParams } {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : window.location.pathname;
  return { path: path === '' ? '/' : path, query: new URLSearchParams(window.location.search) };
}

export function navigate(to: string): void {
  window.history.pushState(null, '', href(to));
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function href(to: string): string {
  return `${BASE}${to}`;
}

export function useRoute(): { path: string; query: URLSearchParams } {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

/** Follows a same-origin link without reloading the page (and so without losing state). */
export function onLinkClick(event: MouseEvent): void {
  const link = (event.target as Element | null)?.closest('a');
  if (link === null || link === undefined || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (link.target !== '' || link.hasAttribute('download') || link.origin !== window.location.origin || !link.pathname.startsWith(BASE)) return;
  event.preventDefault();
  navigate(link.pathname.slice(BASE.length) + link.search);
}
