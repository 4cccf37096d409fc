import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setToken, useAuth } from './api.js';
import { parseRoute, type Route } from './lib/routes.js';
import { CamBatchPage } from './pages/CamBatchPage.js';
import { RunPage } from './pages/RunPage.js';
import { SweepPage } from './pages/SweepPage.js';
import { SweepsPage } from './pages/SweepsPage.js';
import './style.css';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(parseRoute(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'sweeps':
      return <SweepsPage offset={route.offset} />;
    case 'sweep':
      return <SweepPage key={route.id} id={route.id} />;
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'cam-batch':
      return (
        <CamBatchPage key={`${route.id}?${route.compare.join(',')}`} id={route.id} compare={route.compare} />
      );
    case 'not-found':
      return (
        <p role="alert">
          No page at <code>{route.hash}</code>. <a href="#/">All sweeps</a>
        </p>
      );
  }
}

/** Asked once, when the API first answers 401 (it runs with API_TOKEN). */
function TokenForm() {
  const [token, setValue] = useState('');
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form
        class="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) setToken(token.trim());
        }}
      >
        <h2 id="token-title">API token</h2>
        <p>This API needs a bearer token (its API_TOKEN). It is kept in this browser only.</p>
        <label for="token-input">Token</label>
        <input
          id="token-input"
          type="password"
          autoFocus
          value={token}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <button type="submit">Use token</button>
      </form>
    </div>
  );
}

function App() {
  const route = useRoute();
  const { needsToken } = useAuth();
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          CAM platform
        </a>
        <nav aria-label="main">
          <a href="#/" aria-current={route.page === 'sweeps' ? 'page' : undefined}>
            Sweeps
          </a>
          <a href="/admin/queues">Queues (Bull Board)</a>
          <a href="/v1/openapi.json">API</a>
        </nav>
      </header>
      <main>
        <Page route={route} />
      </main>
      {needsToken && <TokenForm />}
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
