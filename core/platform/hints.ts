// Whether a message may carry the simulator's hint node (lbc_hint: facts the national messages do
// not carry, patient data among them). Never to a real platform: only when the region opts in
// explicitly, or when the endpoint is one of our own simulators on this machine. A simulator
// started by this process (or an ancestor) announces its loopback address in
// LBC_SIMULATOR_ENDPOINTS, which child processes inherit.
export const SIMULATOR_ENDPOINTS_ENV = 'LBC_SIMULATOR_ENDPOINTS';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function origin(url: string): string | null {
  try {
    const u = new URL(url);
    return LOOPBACK.has(u.hostname) ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

/** Announces a simulator listening at url (loopback only); returns the function that withdraws it. */
export function announceSimulator(url: string): () => void {
  const o = origin(url);
  if (!o) return () => {};
  const list = (process.env[SIMULATOR_ENDPOINTS_ENV] ?? '').split(',').filter(Boolean);
  process.env[SIMULATOR_ENDPOINTS_ENV] = [...list, o].join(',');
  return () => {
    const rest = (process.env[SIMULATOR_ENDPOINTS_ENV] ?? '').split(',').filter((x) => x && x !== o);
    if (rest.length) process.env[SIMULATOR_ENDPOINTS_ENV] = rest.join(',');
    else delete process.env[SIMULATOR_ENDPOINTS_ENV];
  };
}

/** Is this endpoint one of our own simulators on loopback? */
export function isOwnSimulator(endpoint: string): boolean {
  const o = origin(endpoint);
  return !!o && (process.env[SIMULATOR_ENDPOINTS_ENV] ?? '').split(',').includes(o);
}
