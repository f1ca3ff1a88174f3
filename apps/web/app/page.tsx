interface Endpoint {
  method: string;
  path: string;
  description: string;
}

const endpoints: readonly Endpoint[] = [
  {
    method: "POST",
    path: "/api/auth/guest",
    description: "Log in as a guest (sets the login cookie).",
  },
  { method: "GET", path: "/api/me", description: "The logged-in user." },
  {
    method: "POST",
    path: "/api/sessions",
    description: "Create a lab session.",
  },
  {
    method: "GET",
    path: "/api/sessions",
    description: "List your lab sessions.",
  },
  {
    method: "GET",
    path: "/api/sessions/:id",
    description: "Get one lab session.",
  },
  {
    method: "DELETE",
    path: "/api/sessions/:id",
    description: "End a lab session.",
  },
  {
    method: "POST",
    path: "/api/sessions/:id/extend",
    description: "Extend a lab session's lifetime.",
  },
  { method: "GET", path: "/api/health", description: "Health check." },
];

export default function HomePage() {
  return (
    <main>
      <h1>Kubelab</h1>
      <p className="lead">
        Kubelab gives you hands-on Kubernetes labs in your browser: two nodes with their own Docker engine. Start a
        session, and you get a disposable playground to build and break a cluster without installing anything.
      </p>
      <p className="notice">
        The lab interface is coming soon. In the meantime, developers can use the HTTP API directly.
      </p>

      <h2>API endpoints</h2>
      <table className="endpoints">
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((endpoint) => (
            <tr key={`${endpoint.method} ${endpoint.path}`}>
              <td>
                <code>
                  <span className="method">{endpoint.method}</span>
                  {endpoint.path}
                </code>
              </td>
              <td>{endpoint.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
