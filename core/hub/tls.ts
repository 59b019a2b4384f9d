// The group's own certificate authority: `hub init --tls DIR` makes it once, and a server
// certificate for the hub signed by it; each counter trusts ca.pem and nothing else for the hub.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A group CA and a server certificate signed by it (openssl, which every Debian has). */
export function makeTls(dir: string, host: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (!existsSync(f('ca.key'))) {
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '3650', '-subj', '/CN=liangbing-counter group CA');
  }
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('hub.key'), '-out', f('hub.csr'), '-subj', `/CN=${host}`);
  const ext = f('hub.ext');
  writeFileSync(ext, `subjectAltName=DNS:${host.replace(/[^A-Za-z0-9.-]/g, '')},DNS:localhost,IP:127.0.0.1\n`);
  ssl('x509', '-req', '-in', f('hub.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('hub.pem'), '-days', '825', '-extfile', ext);
  for (const n of ['ca.key', 'hub.key']) chmodSync(f(n), 0o600);
}

