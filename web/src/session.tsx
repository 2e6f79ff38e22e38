import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo, useState } from 'preact/hooks';
import { apiClient, loadSession, storeSession, type ApiClient, type Session } from './api';

export interface SessionState {
  session: Session | null;
  client: ApiClient;
  signIn(session: Session): void;
  /** Revokes the token on the server, then forgets it here even if the server could not be reached. */
  signOut(): Promise<void>;
  /** Forgets a token the server no longer accepts. */
  expire(): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const client = useMemo(() => apiClient(session?.accessToken), [session]);
  const signIn = useCallback((next: Session) => {
    storeSession(next);
    setSession(next);
  }, []);
  const expire = useCallback(() => {
    storeSession(null);
    setSession(null);
  }, []);
  const signOut = useCallback(async () => {
    try {
      await client.POST('/api/v1/auth/logout');
    } finally {
      expire();
    }
  }, [client, expire]);
  const value = useMemo(() => ({ session, client, signIn, signOut, expire }), [session, client, signIn, signOut, expire]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (state === null) throw new Error('useSession needs a SessionProvider above it');
  return state;
}

/** The signed-in session; the pages that use this render only when there is one. */
export function useSignedIn(): SessionState & { session: Session } {
  const state = useSession();
  if (state.session === null) throw new Error('useSignedIn used while signed out');
  return state as SessionState & { session: Session };
}
