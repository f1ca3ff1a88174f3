"use client";

interface ErrorPageProps {
  error: Error & { digest?: string };
  reset: () => void;
}

export default function ErrorPage({ error, reset }: ErrorPageProps) {
  return (
    <main>
      <h1>Something went wrong</h1>
      <p className="lead">An unexpected error occurred while rendering this page.</p>
      {error.digest ? (
        <p className="muted">
          Error reference: <code>{error.digest}</code>
        </p>
      ) : null}
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </p>
    </main>
  );
}
