import { Link } from 'react-router';

import type { Me } from '../lib/auth';
import { FlameIcon } from './icons';

/**
 * The header's level and streak for the signed-in viewer ("Lv 3 5" with a
 * flame before the streak), linking to their profile. Its name for assistive
 * technology is its text with the words the eye gets from the shapes ("Level
 * 3, 1,250 XP, streak 5 days: your profile"). It reads `me`, which is read
 * again after anything that may earn XP or a streak day (see the client's
 * cache updates).
 */
export function StandingChip({ me }: { me: Me }) {
  if (me.level == null) return null;
  const streak = me.streak?.current ?? 0;
  const xp = me.xp ?? 0;
  return (
    <Link
      to="/profile"
      className={`standing-chip${streak ? ' on-streak' : ''}`}
      title={`${xp.toLocaleString('en')} XP`}
      data-testid="standing-chip"
      data-level={me.level}
      data-xp={xp}
      data-streak={streak}
    >
      <span className="level">
        <span className="lv" aria-hidden="true">
          Lv{' '}
        </span>
        <span className="visually-hidden">Level </span>
        {me.level}
      </span>
      <span className="visually-hidden">, {xp.toLocaleString('en')} XP, streak </span>
      <FlameIcon />
      <span className="streak">{streak}</span>
      <span className="visually-hidden"> {streak === 1 ? 'day' : 'days'}: your profile</span>
    </Link>
  );
}
