import { NavLink } from 'react-router';

/** The learning pages, side by side: the dashboard, the review session and the notes. */
export function LearningNav() {
  return (
    <nav className="subnav" aria-label="Learning">
      <NavLink to="/learning" end>
        Dashboard
      </NavLink>
      <NavLink to="/review">Review</NavLink>
      <NavLink to="/notes">Notes</NavLink>
    </nav>
  );
}
