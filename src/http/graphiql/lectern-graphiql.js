// Lectern's GraphiQL page. This file, like GraphiQL itself, is served from
// the binary with subresource integrity, and the page has no inline script,
// so it runs under a Content-Security-Policy with `script-src 'self'`.
//
// Queries and mutations go over HTTP with the headers from the editor;
// subscriptions use graphql-transport-ws on /graphql/ws with the same headers
// in connection_init. The sign-in form calls `login` and puts the access token
// into the Headers tab.
(function () {
  'use strict';

  var httpUrl = new URL('/graphql', window.location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws') + '/ws';
  var httpFetcher = GraphiQL.createFetcher({ url: httpUrl });

  // Headers are not persisted (an access token should not outlive the tab), and
  // an older version of this page stored a `Bearer <…>` placeholder that would
  // make every request fail: forget whatever is stored.
  try {
    window.localStorage.removeItem('graphiql:headers');
  } catch (_) {
    // Storage may be unavailable (private mode); nothing is stored then either.
  }

  // A header still holding a placeholder (`Bearer <token>`, `Bearer …`, just
  // `Bearer`) is dropped rather than sent, so it cannot turn a public operation
  // such as `login` into an UNAUTHENTICATED error.
  function usableHeaders(headers) {
    var result = {};
    Object.keys(headers || {}).forEach(function (name) {
      var value = headers[name];
      if (typeof value !== 'string') value = String(value);
      var placeholder = /[<>…]/.test(value) || /^\s*(bearer)?\s*$/i.test(value);
      if (name.toLowerCase() === 'authorization' && placeholder) return;
      result[name] = value;
    });
    return result;
  }

  function isSubscription(params) {
    var doc = (params.query || '').replace(/#.*$/gm, '');
    if (params.operationName) {
      return new RegExp('subscription\\s+' + params.operationName + '\\b').test(doc);
    }
    return /^\s*subscription\b/m.test(doc);
  }

  function fetcher(params, opts) {
    var headers = usableHeaders(opts && opts.headers);
    if (!isSubscription(params)) return httpFetcher(params, Object.assign({}, opts, { headers: headers }));
    return {
      subscribe: function (sink) {
        var client = graphqlWs.createClient({ url: wsUrl, connectionParams: headers, retryAttempts: 0 });
        var dispose = client.subscribe(params, {
          next: function (value) { sink.next(value); },
          error: function (error) { sink.error(error instanceof Error ? error : new Error(JSON.stringify(error))); },
          complete: function () { sink.complete(); },
        });
        return {
          unsubscribe: function () {
            dispose();
            client.dispose();
          },
        };
      },
    };
  }

  var defaultQuery =
    '# Sign in above (the demo admin is printed at start-up) to send your\n' +
    '# access token with every request, then run this:\n\n' +
    'query Me {\n  me { id email displayName role }\n}\n';

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function render(headers) {
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        defaultHeaders: '',
        headers: headers,
        defaultQuery: defaultQuery,
      })
    );
  }
  render(undefined);

  var form = document.getElementById('sign-in');
  var status = document.getElementById('sign-in-status');
  var signOut = document.getElementById('sign-out');

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var data = new FormData(form);
    say('Signing in…', false);
    fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({
        query:
          'mutation GraphiqlSignIn($input: LoginInput!) { login(input: $input) { accessToken accessTokenExpiresAt user { email role } } }',
        variables: { input: { email: data.get('email'), password: data.get('password') } },
      }),
    })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var login = body && body.data && body.data.login;
        if (!login) {
          var message = body && body.errors && body.errors[0] && body.errors[0].message;
          throw new Error(message || 'Sign-in failed');
        }
        form.elements.password.value = '';
        render(JSON.stringify({ Authorization: 'Bearer ' + login.accessToken }, null, 2));
        var until = new Date(login.accessTokenExpiresAt).toLocaleTimeString();
        say('Signed in as ' + login.user.email + ' (' + login.user.role + ') until ' + until + '.', false);
        signOut.hidden = false;
      })
      .catch(function (error) {
        say(error.message, true);
      });
  });

  signOut.addEventListener('click', function () {
    render('');
    signOut.hidden = true;
    say('Signed out: operations run anonymously.', false);
  });
})();
