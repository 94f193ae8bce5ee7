import { useState, type FormEvent } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';

import { useAuth, useMe } from '../lib/auth';
import { AskAiPanel } from './AskAiPanel';
import { GraduationCapIcon, MenuIcon } from './icons';
import { DueBadge, useDueCount } from './ReviewDue';
import { NotificationBell } from './NotificationBell';
import { StandingChip } from './StandingChip';
import { ThemeSwitch } from './ThemeSwitch';
import { Toasts } from './Toasts';

/**
 * The way to the learning pages: on a wide screen an icon beside the bell
 * with the number of cards due (the header has no room for more words); in
 * the phone menu, links by name.
 */
function LearningLink() {
  const due = useDueCount(true);
  return (
    <Link
      to="/learning"
      className="icon-button learning-link desktop-only"
      data-testid="nav-learning"
      title={due > 0 ? `Learning: ${due} card${due === 1 ? '' : 's'} due for review` : 'Learning'}
    >
      <GraduationCapIcon />
      <span className="visually-hidden">Learning</span>
      <DueBadge due={due} testId="nav-due" className="bell-count" />
    </Link>
  );
}

function PhoneLearningLinks() {
  const due = useDueCount();
  const phone = ({ isActive }: { isActive: boolean }) => `phone-only${isActive ? ' active' : ''}`;
  return (
    <>
      <NavLink to="/learning" className={phone}>
        Learning
      </NavLink>
      <NavLink to="/review" className={phone}>
        Review
        <DueBadge due={due} testId="menu-due" />
      </NavLink>
      <NavLink to="/notes" className={phone}>
        Notes
      </NavLink>
    </>
  );
}

export function Layout() {
  const { userId, signOut } = useAuth();
  const { me } = useMe();
  const [query, setQuery] = useState('');
  const [askOpen, setAskOpen] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const navigate = useNavigate();
  const { pathname } = useLocation();

  function search(event: FormEvent) {
    event.preventDefault();
    if (query.trim()) navigate(`/search?q=${encodeURIComponent(query.trim())}`);
  }

  async function onSignOut() {
    await signOut();
    navigate('/');
  }

  const writer = me && (me.role === 'AUTHOR' || me.role === 'ADMIN');
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className={`header-inner${menuOpen ? ' menu-open' : ''}`}>
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">L</span> Lectern
          </Link>
          <button
            type="button"
            className="icon-button nav-toggle"
            aria-expanded={menuOpen}
            aria-controls="site-nav"
            onClick={() => setMenuOpen((v) => !v)}
          >
            <span className="visually-hidden">Menu</span>
            <MenuIcon />
          </button>
          <nav id="site-nav" className={`site-nav${menuOpen ? ' open' : ''}`} aria-label="Main" onClick={() => setMenuOpen(false)}>
            <NavLink to="/" end>
              Feed
            </NavLink>
            {userId && <NavLink to="/bookmarks">Bookmarks</NavLink>}
            {userId && <PhoneLearningLinks />}
            <NavLink to="/leaderboard">Leaderboard</NavLink>
            {/* Signed in, only once `me` says whether the reader has premium (no flash of "Pricing"). */}
            {(userId ? me && !me.hasPremiumAccess : true) && <NavLink to="/pricing">Pricing</NavLink>}
            {writer && (
              <NavLink to="/admin" className={({ isActive }) => (isActive && !pathname.startsWith('/admin/billing') ? 'active' : '')}>
                Write
              </NavLink>
            )}
            {me?.role === 'ADMIN' && <NavLink to="/admin/billing">Billing</NavLink>}
            {/* On a phone the header has no room for these: the menu holds them. */}
            <NavLink to="/search" className={({ isActive }) => `phone-only${isActive ? ' active' : ''}`}>
              Search
            </NavLink>
            {userId ? (
              <>
                <NavLink to="/notifications" className={({ isActive }) => `phone-only${isActive ? ' active' : ''}`}>
                  Notifications
                </NavLink>
                <NavLink to="/profile" className={({ isActive }) => `phone-only${isActive ? ' active' : ''}`}>
                  Your profile
                </NavLink>
                <NavLink to="/settings" className={({ isActive }) => `phone-only${isActive ? ' active' : ''}`}>
                  Settings{me?.displayName ? ` (${me.displayName})` : ''}
                </NavLink>
                <button type="button" className="link-button phone-only" onClick={() => void onSignOut()}>
                  Sign out
                </button>
              </>
            ) : (
              <>
                <NavLink to="/sign-in" className="phone-only">
                  Sign in
                </NavLink>
                <NavLink to="/register" className="phone-only">
                  Register
                </NavLink>
              </>
            )}
          </nav>
          {menuOpen && <ThemeSwitch id="theme-menu" className="phone-only menu-theme" />}
          <form role="search" className="header-search" onSubmit={search}>
            <label htmlFor="header-search" className="visually-hidden">
              Search posts
            </label>
            <input
              id="header-search"
              type="search"
              placeholder="Search…"
              value={query}
              onChange={(event) => setQuery(event.target.value)}
            />
          </form>
          <div className="header-actions">
            <ThemeSwitch id="theme-header" className="desktop-only" />
            <button type="button" className="button secondary small" onClick={() => setAskOpen(true)}>
              Ask AI
            </button>
            {userId ? (
              <>
                {me && <StandingChip me={me} />}
                <LearningLink />
                <NotificationBell />
                <Link className="whoami" to="/settings" title={me?.email ? `${me.email}: settings` : 'Settings'}>
                  {me?.displayName ?? ''}
                </Link>
                <button type="button" className="link-button desktop-only" onClick={() => void onSignOut()}>
                  Sign out
                </button>
              </>
            ) : (
              <>
                <Link to="/sign-in" className="desktop-only">
                  Sign in
                </Link>
                <Link className="button small desktop-only" to="/register">
                  Register
                </Link>
              </>
            )}
          </div>
        </div>
        {me && !me.emailVerified && (
          <p className="banner">
            Please confirm your email address: we sent you a link. <Link to="/verify-email">Resend it</Link>
          </p>
        )}
      </header>
      <main id="main" className="container" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <div className="container">
          <span>Lectern</span>
          <a href="/feed.xml">RSS</a>
          <a href="/graphql">API</a>
        </div>
      </footer>
      {askOpen && <AskAiPanel onClose={() => setAskOpen(false)} />}
      {userId && <Toasts />}
    </>
  );
}
