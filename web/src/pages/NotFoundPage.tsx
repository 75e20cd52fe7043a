import { Link, useLocation } from '../router.tsx';

/** A path the console has no page for (a mistyped or old link). */
export default function NotFoundPage() {
  const { path } = useLocation();
  return (
    <section aria-labelledby="not-found">
      <h1 id="not-found">Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. It may have moved, or the link may be mistyped.
      </p>
      <p>
        <Link to="/incidents">Go to the incident board</Link>
      </p>
    </section>
  );
}
