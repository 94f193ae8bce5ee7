import { Suspense, lazy, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';

import { Layout } from './components/Layout';
import { Empty, Loading } from './components/ui';
import { AuthProvider, useAuth, useMe } from './lib/auth';
import { BillingReturn } from './pages/BillingReturn';
import { Bookmarks } from './pages/Bookmarks';
import { ForgotPassword, RegisterPage, ResetPasswordPage, SignIn, VerifyEmailPage } from './pages/auth/AuthPages';
import { Home } from './pages/Home';
import { LeaderboardPage } from './pages/Leaderboard';
import { NewsletterConfirm, NotFound } from './pages/Misc';
import { Notifications } from './pages/Notifications';
import { PostPage } from './pages/PostPage';
import { ProfilePage } from './pages/ProfilePage';
import { Pricing } from './pages/Pricing';
import { Search } from './pages/Search';
import { Settings } from './pages/Settings';
import { SeriesPage } from './pages/SeriesPage';
import { TagPage } from './pages/TagPage';

// The writing area is its own chunk: readers never download it.
const AdminPosts = lazy(() => import('./admin/AdminPosts').then((m) => ({ default: m.AdminPosts })));
const PostEditorPage = lazy(() => import('./admin/PostEditor').then((m) => ({ default: m.PostEditorPage })));
// The learning pages are chunks of their own; the dashboard is the only page
// with charts, so the charting library loads with it alone.
const LearningPage = lazy(() => import('./pages/Learning').then((m) => ({ default: m.LearningPage })));
const ReviewPage = lazy(() => import('./pages/Review').then((m) => ({ default: m.ReviewPage })));
const NotesPage = lazy(() => import('./pages/Notes').then((m) => ({ default: m.NotesPage })));
const CertificatePage = lazy(() => import('./pages/CertificatePage').then((m) => ({ default: m.CertificatePage })));

function Chunk({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}
const AdminBilling = lazy(() => import('./admin/AdminBilling').then((m) => ({ default: m.AdminBilling })));

/** Pages for signed-in viewers send others to sign in, and back here after. */
function SignedIn({ children }: { children: ReactNode }) {
  const { userId } = useAuth();
  const location = useLocation();
  if (!userId) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return children;
}

function Writers({ children }: { children: ReactNode }) {
  const { me, fetching } = useMe();
  if (fetching) return <Loading />;
  if (me?.role !== 'AUTHOR' && me?.role !== 'ADMIN') return <Empty title="Writing is for authors and admins." />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function Admins({ children }: { children: ReactNode }) {
  const { me, fetching } = useMe();
  if (fetching) return <Loading />;
  if (me?.role !== 'ADMIN') return <Empty title="This page is for admins." />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

export function App() {
  return (
    <AuthProvider>
      <BrowserRouter>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<Home />} />
            <Route path="posts/:slug" element={<PostPage />} />
            <Route path="series/:slug" element={<SeriesPage />} />
            <Route path="tags/:slug" element={<TagPage />} />
            <Route path="authors/:id" element={<ProfilePage />} />
            <Route path="users/:id" element={<ProfilePage />} />
            <Route path="profile" element={<SignedIn><ProfilePage own /></SignedIn>} />
            <Route path="leaderboard" element={<LeaderboardPage />} />
            <Route path="search" element={<Search />} />
            <Route path="pricing" element={<Pricing />} />
            <Route path="billing/return" element={<SignedIn><BillingReturn /></SignedIn>} />
            <Route path="sign-in" element={<SignIn />} />
            <Route path="register" element={<RegisterPage />} />
            <Route path="verify-email" element={<VerifyEmailPage />} />
            <Route path="forgot-password" element={<ForgotPassword />} />
            <Route path="reset-password" element={<ResetPasswordPage />} />
            <Route path="newsletter/confirm" element={<NewsletterConfirm />} />
            <Route path="bookmarks" element={<SignedIn><Bookmarks /></SignedIn>} />
            <Route path="notifications" element={<SignedIn><Notifications /></SignedIn>} />
            <Route path="settings" element={<SignedIn><Settings /></SignedIn>} />
            <Route path="review" element={<SignedIn><Chunk><ReviewPage /></Chunk></SignedIn>} />
            <Route path="notes" element={<SignedIn><Chunk><NotesPage /></Chunk></SignedIn>} />
            <Route path="learning" element={<SignedIn><Chunk><LearningPage /></Chunk></SignedIn>} />
            <Route path="certificates/:code" element={<Chunk><CertificatePage /></Chunk>} />
            <Route path="admin" element={<SignedIn><Writers><AdminPosts /></Writers></SignedIn>} />
            <Route path="admin/new" element={<SignedIn><Writers><PostEditorPage /></Writers></SignedIn>} />
            <Route path="admin/edit/:slug" element={<SignedIn><Writers><PostEditorPage /></Writers></SignedIn>} />
            <Route path="admin/billing" element={<SignedIn><Admins><AdminBilling /></Admins></SignedIn>} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </AuthProvider>
  );
}
