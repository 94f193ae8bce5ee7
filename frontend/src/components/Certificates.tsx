import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { graphql } from '../gql';
import type { CertificateListFieldsFragment } from '../gql/graphql';
import { useAuth } from '../lib/auth';
import { groupCode, pdfFileName, verdictOf } from '../lib/certificates';
import { saveBlob } from '../lib/download';
import { errorMessage } from '../lib/errors';
import { CopyIcon } from './icons';
import { Empty, ErrorNote, LoadMore, Loading, When } from './ui';

export const CertificateListFields = graphql(`
  fragment CertificateListFields on Certificate {
    id
    code
    seriesTitle
    issuedAt
    revoked
    revokedAt
    revokedReason
    status
    valid
    verificationUrl
    series {
      id
      slug
    }
  }
`);

const MyCertificates = graphql(`
  query MyCertificates($first: Int!, $after: String) {
    myCertificates(first: $first, after: $after) {
      totalCount
      edges {
        node {
          ...CertificateListFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** The viewer's certificates, newest first: each with its status, its PDF and its public link to share. */
export function CertificateList() {
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyCertificates, variables: { first: 20, after } });
  const list = data?.myCertificates;
  return (
    <>
      {!list && fetching && <Loading />}
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {list && list.edges.length === 0 && (
        <Empty title="No certificates yet.">
          <p>Finish every post of a series and its certificate of completion appears here, with a link anyone can check.</p>
        </Empty>
      )}
      {list && list.edges.length > 0 && (
        <ul className="certificate-list">
          {list.edges.map(({ node }) => (
            <CertificateItem key={node.id} certificate={node} />
          ))}
        </ul>
      )}
      {list && <LoadMore hasMore={list.pageInfo.hasNextPage} fetching={fetching} onMore={() => setAfter(list.pageInfo.endCursor ?? null)} />}
    </>
  );
}

function CertificateItem({ certificate }: { certificate: CertificateListFieldsFragment }) {
  const { session } = useAuth();
  const [copied, setCopied] = useState('');
  const [downloading, setDownloading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const { verdict, title } = verdictOf(certificate.status);
  const linkId = `certificate-link-${certificate.id}`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(certificate.verificationUrl);
      setCopied('Link copied.');
    } catch {
      field.current?.select();
      setCopied('Press Ctrl+C (⌘C on a Mac) to copy the selected link.');
    }
  }

  async function downloadPdf() {
    setDownloading(true);
    setProblem(null);
    try {
      const token = await session.accessToken();
      const response = await fetch(`/certificates/${encodeURIComponent(certificate.code)}/pdf`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        cache: 'no-store',
      });
      if (!response.ok) {
        setProblem(response.status === 401 ? 'Please sign in again to download it.' : 'This certificate cannot be downloaded (it may have been revoked).');
        return;
      }
      saveBlob(await response.blob(), pdfFileName(certificate.seriesTitle));
    } catch {
      setProblem('Cannot reach the server. Check your connection and try again.');
    } finally {
      setDownloading(false);
    }
  }

  return (
    <li className="card certificate-item" data-testid="certificate" data-code={certificate.code}>
      <div className="certificate-title">
        <h3>{certificate.series ? <Link to={`/series/${certificate.series.slug}`}>{certificate.seriesTitle}</Link> : certificate.seriesTitle}</h3>
        <span className={`badge verdict-badge-${verdict}`}>{verdict === 'valid' ? 'Valid' : title}</span>
      </div>
      <p className="muted small">
        Issued <When at={certificate.issuedAt} />
        {certificate.revoked && certificate.revokedAt && (
          <>
            {' · revoked '}
            <When at={certificate.revokedAt} />
            {certificate.revokedReason && `: ${certificate.revokedReason}`}
          </>
        )}
        {' · code '}
        <span className="code">{groupCode(certificate.code)}</span>
      </p>
      <div className="field">
        <label htmlFor={linkId}>Public link (anyone can check it)</label>
        <div className="copy-row">
          <input id={linkId} ref={field} readOnly value={certificate.verificationUrl} onFocus={(e) => e.target.select()} />
          <button type="button" className="button secondary" onClick={() => void copy()}>
            <CopyIcon /> Copy<span className="visually-hidden"> the link</span>
          </button>
        </div>
        <p className="hint" role="status">
          {copied}
        </p>
      </div>
      <p className="action-row">
        <button type="button" className="button secondary small" disabled={downloading || certificate.revoked} onClick={() => void downloadPdf()}>
          {downloading ? 'Downloading…' : 'Download PDF'}
        </button>
        <Link to={`/certificates/${certificate.code}`}>
          View its page<span className="visually-hidden">: {certificate.seriesTitle}</span>
        </Link>
      </p>
      <ErrorNote message={problem} />
    </li>
  );
}
