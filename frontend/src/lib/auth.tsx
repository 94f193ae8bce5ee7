// The session in React: who is signed in, a client for them, and the actions
// that change it. The urql client (with its cache and socket) is rebuilt when
// the signed-in user changes, never on a mere token refresh. After a page load
// the app renders once the cookie has answered whether a session exists (only
// when one may: a browser that never signed in renders at once).

import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { CombinedError } from '@urql/core';
import { Provider, useQuery } from 'urql';

import { graphql } from '../gql';
import type { MeQuery } from '../gql/graphql';

import { createLecternClient, sessionEndpoints, type AuthAnswer, type RegisterInput } from './client';
import { Session, browserLock, browserTokenStore, subjectOf } from './session';

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
      bio
      timeZone
      profilePrivate
      level
      xp
      streak {
        current
        longest
        freezes
      }
    }
  }
`);

export type Me = NonNullable<MeQuery['me']>;

interface AuthContextValue {
  session: Session;
  userId: string | null;
  /** Signs in (the cookie is set by the server); the error, if any, for the form. */
  signIn(email: string, password: string): Promise<CombinedError | null>;
  /** Creates the account and signs it in; the error, if any, for the form. */
  register(input: RegisterInput): Promise<CombinedError | null>;
  /** Signs out here and in every tab, and ends the session on the server. */
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

const endpoints = sessionEndpoints();

let sharedSession: Session | null = null;
function browserSession(): Session {
  sharedSession ??= new Session({
    store: browserTokenStore(),
    refresh: endpoints.refresh,
    end: endpoints.signOut,
    lock: browserLock,
  });
  return sharedSession;
}

const errorOf = (answer: AuthAnswer) => ('error' in answer ? answer.error : null);
const tokensOf = (answer: AuthAnswer) => ('tokens' in answer ? answer.tokens : null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const session = browserSession();
  const userId = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => subjectOf(session.tokens?.accessToken),
  );
  const restoring = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.restoring,
  );
  useEffect(() => {
    // After a page load: trade the cookie (if the browser holds one) for an access token.
    if (session.restoring) void session.refresh();
  }, [session]);
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
      signIn: async (email, password) =>
        errorOf(await session.signInWith(() => endpoints.signIn(email, password), tokensOf)),
      register: async (input) => errorOf(await session.signInWith(() => endpoints.register(input), tokensOf)),
      signOut: () => session.signOut(),
    }),
    [session, userId],
  );

  // Nothing renders (so nothing is fetched anonymously, nor a signed-in page
  // sent to sign-in) until the start-up refresh has answered.
  if (restoring) return null;
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
