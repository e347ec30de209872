import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <main id="main" className="page page--narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have moved.</p>
      <p>
        <Link to="/" className="button-primary">
          Go to TopSmile
        </Link>
      </p>
    </main>
  );
}
