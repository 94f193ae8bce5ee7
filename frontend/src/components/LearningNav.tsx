import { NavLink } from 'react-router';

import { DueBadge, useDueCount } from './ReviewDue';

/** The learning pages, side by side: the dashboard, the review session (with the cards due) and the notes. */
export function LearningNav() {
  const due = useDueCount();
  return (
    <nav className="subnav" aria-label="Learning">
      <NavLink to="/learning" end>
        Dashboard
      </NavLink>
      <NavLink to="/review" data-testid="subnav-review">
        Review
        <DueBadge due={due} testId="subnav-due" />
      </NavLink>
      <NavLink to="/notes">Notes</NavLink>
    </nav>
  );
}
