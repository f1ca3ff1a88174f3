"use client";

// Replaces the root layout when the layout itself fails, so there is no
// dictionary or stylesheet here: short, bilingual, inline-styled.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body
        style={{ fontFamily: "system-ui, sans-serif", maxWidth: "40rem", margin: "4rem auto", padding: "0 1.5rem" }}
      >
        <h1>Kubelab is not available / Kubelab no está disponible</h1>
        <p>
          The page could not be shown. Try again in a moment; if it keeps failing, tell your instructor or
          administrator.
        </p>
        <p lang="es">
          No se pudo mostrar la página. Reinténtalo en un momento; si sigue fallando, avisa a tu instructor o
          administrador.
        </p>
        {error.digest ? (
          <p>
            Error reference: <code>{error.digest}</code>
          </p>
        ) : null}
        <button type="button" onClick={reset}>
          Try again / Reintentar
        </button>
      </body>
    </html>
  );
}
