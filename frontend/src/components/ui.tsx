// Small building blocks every page uses: loading, empty and error states,
// form fields with their error next to them, and dates.

import { useEffect, useRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorNote({ message, onRetry }: { message: string | null | undefined; onRetry?: () => void }) {
  if (!message) return null;
  return (
    <div className="error-note" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

interface FieldProps {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
}

/** A label, a control, its hint and its error, wired together for assistive technology. */
function FieldFrame({ label, name, error, hint, control }: FieldProps & { control(a11y: ControlA11y): ReactNode }) {
  const id = `field-${name}`;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control({ id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': described })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

interface ControlA11y {
  id: string;
  name: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

export function Field({ label, name, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return <FieldFrame label={label} name={name} error={error} hint={hint} control={(a11y) => <input {...a11y} {...input} />} />;
}

export function TextArea({ label, name, error, hint, ...input }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <FieldFrame label={label} name={name} error={error} hint={hint} control={(a11y) => <textarea {...a11y} {...input} />} />;
}

export function SelectField({ label, name, error, hint, children, ...select }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <FieldFrame
      label={label}
      name={name}
      error={error}
      hint={hint}
      control={(a11y) => (
        <select {...a11y} {...select}>
          {children}
        </select>
      )}
    />
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When({ at, withTime = false }: { at: string | null | undefined; withTime?: boolean }) {
  if (!at) return null;
  const date = new Date(at);
  return <time dateTime={at}>{(withTime ? dateTimeFormat : dateFormat).format(date)}</time>;
}

/**
 * Calls `onVisible` when the sentinel scrolls into view (infinite scroll),
 * and offers a button for keyboards and for browsers without observers.
 */
export function LoadMore({ hasMore, fetching, onMore }: { hasMore: boolean; fetching: boolean; onMore: () => void }) {
  const sentinel = useRef<HTMLDivElement>(null);
  const latest = useRef(onMore);
  useEffect(() => {
    latest.current = onMore;
  });
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasMore || fetching || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) latest.current();
    }, { rootMargin: '400px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, fetching]);
  if (!hasMore) return null;
  return (
    <div ref={sentinel} className="load-more">
      {fetching ? (
        <Loading label="Loading more…" />
      ) : (
        <button type="button" className="button secondary" onClick={onMore}>
          Load more
        </button>
      )}
    </div>
  );
}

export function usePageTitle(title: string | null | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · Lectern` : 'Lectern';
  }, [title]);
}

/**
 * HTML the server rendered and sanitised (a post body, an editor preview).
 * Code blocks that scroll sideways get a tab stop, so keyboards can scroll them.
 */
export function Prose({ html, testId }: { html: string; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    for (const pre of ref.current?.querySelectorAll<HTMLElement>('pre, table') ?? []) {
      if (pre.scrollWidth > pre.clientWidth) pre.tabIndex = 0;
      else pre.removeAttribute('tabindex');
    }
  }, [html]);
  return <div ref={ref} className="prose" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
