// A throwaway PKI made with openssl (a CA, a server certificate for 127.0.0.1, client certificates,
// and a second CA that signed nothing the server trusts) and a nats-server that requires TLS with
// client certificates (verify: true), JetStream and a password, on ports 18700-18799 (or a range
// the test gives).
import { type NatsServer, rangePort, startNats } from "./nats_server.ts";

const FIRST = 18700, LAST = 18799;

export interface TestPki {
  dir: string;
  /** The CA the server trusts and that signed its certificate. */
  ca: string;
  /** Another CA: neither the server's nor the clients' certificates come from it. */
  otherCa: string;
  server: { cert: string; key: string };
  /** A server certificate that names only nats.test (no IP address). */
  dnsOnlyServer: { cert: string; key: string };
  client: { cert: string; key: string };
  /** A client certificate signed by the other CA. */
  strangerClient: { cert: string; key: string };
  /** A server certificate for 127.0.0.1 signed by the other CA (one clients do not trust). */
  strangerServer: { cert: string; key: string };
}

async function openssl(cwd: string, args: string[]) {
  const out = await new Deno.Command("openssl", {
    args,
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** P-256 keys: quick to make, and spoken by nats-server and Deno's TLS alike. */
const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function makeCa(dir: string, name: string) {
  await openssl(dir, [
    "req",
    "-x509",
    ...KEY,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-subj",
    `/CN=Pingfold test ${name}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return `${dir}/${name}.pem`;
}

async function issue(dir: string, name: string, ca: string, cn: string, ext: string[]) {
  await openssl(dir, [
    "req",
    ...KEY,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${cn}`,
  ]);
  await Deno.writeTextFile(`${dir}/${name}.ext`, ext.join("\n") + "\n");
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-set_serial",
    String(1 + Math.floor(Math.random() * 2 ** 31)),
    "-days",
    "2",
    "-out",
    `${name}.pem`,
    "-extfile",
    `${name}.ext`,
  ]);
  return { cert: `${dir}/${name}.pem`, key: `${dir}/${name}.key` };
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  await Deno.mkdir(dir, { recursive: true });
  const [ca, otherCa] = await Promise.all([makeCa(dir, "ca"), makeCa(dir, "other-ca")]);
  const serverExt = ["keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth"];
  const clientExt = ["keyUsage=critical,digitalSignature", "extendedKeyUsage=clientAuth"];
  const [server, dnsOnlyServer, client, strangerClient, strangerServer] = await Promise.all([
    issue(dir, "server", "ca", "127.0.0.1", [...serverExt, "subjectAltName=IP:127.0.0.1"]),
    issue(dir, "server-dns", "ca", "nats.test", [...serverExt, "subjectAltName=DNS:nats.test"]),
    issue(dir, "client", "ca", "pingfold client", clientExt),
    issue(dir, "stranger", "other-ca", "stranger", clientExt),
    issue(dir, "stranger-server", "other-ca", "127.0.0.1", [
      ...serverExt,
      "subjectAltName=IP:127.0.0.1",
    ]),
  ]);
  return { dir, ca, otherCa, server, dnsOnlyServer, client, strangerClient, strangerServer };
}

export interface TlsNats extends NatsServer {
  /** tls://127.0.0.1:PORT */
  tlsUrl: string;
  /** The monitoring endpoint (connz shows each client's TLS version). */
  monitorUrl: string;
}

/** nats-server with JetStream, `tls { … verify: true }` and a user/password from a config file. */
export async function startTlsNats(
  dir: string,
  pki: TestPki,
  o: {
    user: string;
    pass: string;
    serverCert?: { cert: string; key: string };
    /** The port (a restart on the same one); else one of `range`. */
    port?: number;
    /** The test's own port range (default 18700-18799). */
    range?: [number, number];
  },
): Promise<TlsNats> {
  const [first, last] = o.range ?? [FIRST, LAST];
  const port = o.port ?? rangePort(first, last);
  const monitor = rangePort(first, last);
  const cert = o.serverCert ?? pki.server;
  const configFile = `${dir}/nats-${port}.conf`;
  await Deno.writeTextFile(
    configFile,
    [
      `http: "127.0.0.1:${monitor}"`,
      `authorization { user: ${JSON.stringify(o.user)}, password: ${JSON.stringify(o.pass)} }`,
      "tls {",
      `  cert_file: ${JSON.stringify(cert.cert)}`,
      `  key_file: ${JSON.stringify(cert.key)}`,
      `  ca_file: ${JSON.stringify(pki.ca)}`,
      "  verify: true",
      "  timeout: 5",
      "}",
      "",
    ].join("\n"),
  );
  const nats = startNats(dir, { port, configFile });
  await nats.ready();
  return {
    ...nats,
    tlsUrl: `tls://127.0.0.1:${port}`,
    monitorUrl: `http://127.0.0.1:${monitor}`,
  };
}
