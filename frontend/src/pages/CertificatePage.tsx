import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';

import { ErrorNote, Loading, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { groupCode, verdictOf } from '../lib/certificates';
import { errorMessage } from '../lib/errors';

const CertificateQuery = graphql(`
  query CertificatePage($code: String!) {
    certificate(code: $code) {
      status
      valid
      revoked
      revokedAt
      code
      recipientName
      seriesTitle
      issuedAt
      series {
        id
        slug
        title
      }
    }
    certificateSigningKey {
      algorithm
      keyId
    }
  }
`);

/**
 * `/certificates/:code`, for anyone: whom a certificate was issued to, for
 * which series and when, and whether it holds: valid, revoked, or "does not
 * verify" for a code no certificate has or one whose details were altered.
 * A bad code is an answer, not an error page.
 */
export function CertificatePage() {
  const { code = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: CertificateQuery, variables: { code } });
  const check = data?.certificate;
  usePageTitle(check?.valid && check.seriesTitle ? `Certificate: ${check.seriesTitle}` : 'Certificate check');

  if (!check) {
    if (fetching || !error) return <Loading label="Checking the certificate…" />;
    return (
      <div className="narrow-wide">
        <h1>Certificate check</h1>
        <ErrorNote message={errorMessage(error) ?? 'Could not check the certificate.'} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      </div>
    );
  }
  const { verdict, title, detail } = verdictOf(check.status);
  const known = Boolean(check.code);
  return (
    <div className="narrow-wide certificate-page">
      <p className="eyebrow">Certificate of completion</p>
      <h1>{known && check.status !== 'INVALID_SIGNATURE' ? check.seriesTitle : 'Certificate check'}</h1>
      <section className={`verdict verdict-${verdict}`} aria-labelledby="verdict-title" data-testid="certificate-verdict" data-status={check.status}>
        <span className="verdict-mark" aria-hidden="true">
          {verdict === 'valid' ? '✓' : verdict === 'revoked' ? '!' : '✗'}
        </span>
        <div>
          <h2 id="verdict-title">{title}</h2>
          <p>{detail}</p>
          {check.revoked && check.revokedAt && (
            <p>
              Revoked on <When at={check.revokedAt} />.
            </p>
          )}
        </div>
      </section>
      {known ? (
        <dl className="certificate-fields">
          <div>
            <dt>Awarded to</dt>
            <dd data-testid="certificate-name">{check.recipientName}</dd>
          </div>
          <div>
            <dt>For finishing the series</dt>
            <dd data-testid="certificate-series">
              {check.series ? <Link to={`/series/${check.series.slug}`}>{check.seriesTitle}</Link> : check.seriesTitle}
            </dd>
          </div>
          <div>
            <dt>Issued</dt>
            <dd>
              <When at={check.issuedAt} />
            </dd>
          </div>
          <div>
            <dt>Verification code</dt>
            <dd className="code">{groupCode(check.code ?? '')}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">
          The code checked: <span className="code">{code}</span>
        </p>
      )}
      {known && data?.certificateSigningKey && (
        <details className="verify-yourself">
          <summary>Check it without trusting this page</summary>
          <p>
            The certificate is signed with {data.certificateSigningKey.algorithm} (key <span className="code">{data.certificateSigningKey.keyId}</span>). The
            public key is at <a href="/.well-known/lectern-certificate-key">/.well-known/lectern-certificate-key</a>; the signature and the signed
            fields come from the API's <span className="code">certificate(code)</span> query.
          </p>
        </details>
      )}
    </div>
  );
}
