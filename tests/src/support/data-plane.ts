/**
 * Who carries port requests in the servers the suites start: Kubelab itself (the default) or
 * HAProxy, with KUBELAB_TEST_PORT_DATA_PLANE=haproxy (docs/ports.md, "HAProxy as the data plane").
 */
export const TEST_DATA_PLANE = process.env.KUBELAB_TEST_PORT_DATA_PLANE ?? "node";

/**
 * For tests of what Kubelab's own data path does with malformed app answers: HAProxy answers some
 * of them differently, as documented; ports.test.ts pins HAProxy's answers.
 */
export const KUBELAB_DATA_PATH_ONLY =
  TEST_DATA_PLANE === "node" ? {} : { skip: "Kubelab's own data path; ports.test.ts pins HAProxy's answers" };
