// The session in React: who is signed in, a client for them, and the actions
// that change it. The urql client (with its cache and socket) is rebuilt when
// the signed-in user changes, never on a mere token refresh.

import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { Provider, useQuery } from 'urql';

import { graphql } from '../gql';
import type { MeQuery } from '../gql/graphql';
import { createLecternClient, makeRefresher } from './client';
import { Session, browserLock, browserTokenStore, subjectOf, type Tokens } from './session';

export const MeDocument = graphql(`
  query Me {
    me {
      id
      displayName
      email
      role
      emailVerified
      hasPremiumAccess
      digestFrequency
    }
  }
`);

export type Me = NonNullable<MeQuery['me']>;

interface AuthContextValue {
  session: Session;
  userId: string | null;
  signIn(tokens: Tokens): void;
  signOut(): void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

let sharedSession: Session | null = null;
function browserSession(): Session {
  sharedSession ??= new Session({ store: browserTokenStore(), refresh: makeRefresher(), lock: browserLock });
  return sharedSession;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const session = browserSession();
  const userId = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => subjectOf(session.tokens?.accessToken),
  );
  const [lectern, setLectern] = useState(() => createLecternClient(session));
  const [clientUser, setClientUser] = useState(userId);

  // A different viewer gets a fresh client: new cache, new socket.
  if (clientUser !== userId) {
    setClientUser(userId);
    setLectern(createLecternClient(session));
  }
  useEffect(() => () => lectern.dispose(), [lectern]);

  const value = useMemo<AuthContextValue>(
    () => ({
      session,
      userId,
      signIn: (tokens) => session.signIn(tokens),
      signOut: () => session.signOut(),
    }),
    [session, userId],
  );

  return (
    <AuthContext.Provider value={value}>
      <Provider value={lectern.client}>{children}</Provider>
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** The signed-in user, or null; `fetching` while the first answer is pending. */
export function useMe(): { me: Me | null; fetching: boolean } {
  const { userId } = useAuth();
  const [{ data, fetching }] = useQuery({ query: MeDocument, pause: !userId });
  return { me: userId ? (data?.me ?? null) : null, fetching: Boolean(userId) && fetching && !data };
}

/**
 * For pages opened from a mailed link (`?token=…`): runs `use(token)` once,
 * even when React runs effects twice in development.
 */
export function useMailedToken(token: string | null, use: (token: string) => unknown): void {
  const used = useRef<string | null>(null);
  useEffect(() => {
    if (token && used.current !== token) {
      used.current = token;
      void use(token);
    }
  }, [token, use]);
}
