#!/usr/bin/env node
// Dependency-free readiness probes for the native stack: each speaks the component's own
// protocol, so "up" means it really answers, not merely that a port is open.
//   node infra/probe.mjs kafka 127.0.0.1:9092
//   node infra/probe.mjs redis redis://127.0.0.1:6379
//   node infra/probe.mjs registry http://127.0.0.1:8081
//   node infra/probe.mjs smtp 127.0.0.1:1025
//   node infra/probe.mjs prometheus http://127.0.0.1:9090
// Exit 0 when the component answers correctly, 1 otherwise (reason on stderr).
import net from 'node:net';

const TIMEOUT_MS = 3000;

function hostPort(spec, defaultPort) {
  const [host, port] = spec.includes(':') ? spec.split(':') : [spec, String(defaultPort)];
  return { host: host || '127.0.0.1', port: Number(port) };
}

/** Opens a socket, writes `request`, resolves with the bytes read once `done(buf)` is true. */
function exchange({ host, port }, request, done) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    socket.on('connect', () => request && socket.write(request));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (done(buf)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(buf);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Kafka ApiVersions v0: the broker must answer with error_code 0. */
async function kafka(spec) {
  const clientId = Buffer.from('pulse-probe');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0); // api_key ApiVersions
  body.writeInt16BE(0, 2); // api_version
  body.writeInt32BE(7, 4); // correlation_id
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  const res = await exchange(hostPort(spec, 9092), Buffer.concat([size, body]), (b) =>
    b.length >= 4 ? b.length >= 4 + b.readInt32BE(0) : false,
  );
  const correlation = res.readInt32BE(4);
  const errorCode = res.readInt16BE(8);
  if (correlation !== 7 || errorCode !== 0) throw new Error(`ApiVersions error_code ${errorCode}`);
}

async function redis(spec) {
  const url = new URL(spec.includes('://') ? spec : `redis://${spec}`);
  let req = '';
  if (url.password) {
    const user = decodeURIComponent(url.username || 'default');
    req += `AUTH ${user} ${decodeURIComponent(url.password)}\r\n`;
  }
  req += 'PING\r\n';
  const want = url.password ? 2 : 1;
  const res = await exchange(
    { host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) },
    req,
    (b) => b.toString().split('\r\n').length > want,
  );
  if (!res.toString().includes('+PONG')) throw new Error(`unexpected answer ${res.toString()}`);
}

async function registry(spec) {
  const base = spec.replace(/\/apis\/ccompat\/v\d+\/?$/, '').replace(/\/$/, '');
  const ready = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!ready.ok) throw new Error(`/health/ready answered ${ready.status}`);
  const subjects = await fetch(`${base}/apis/ccompat/v7/subjects`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!subjects.ok) throw new Error(`/apis/ccompat/v7/subjects answered ${subjects.status}`);
}

async function smtp(spec) {
  const res = await exchange(hostPort(spec, 1025), null, (b) => b.includes('\n'));
  if (!res.toString().startsWith('220')) throw new Error(`SMTP banner was ${res.toString()}`);
}

async function prometheus(spec) {
  const base = spec.replace(/\/$/, '');
  const ready = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!ready.ok) throw new Error(`/-/ready answered ${ready.status}`);
}

const probes = { kafka, redis, registry, smtp, prometheus };
const [kind, target] = process.argv.slice(2);
const probe = probes[kind];
if (!probe || !target) {
  console.error(`usage: probe.mjs <${Object.keys(probes).join('|')}> <address>`);
  process.exit(2);
}
probe(target).then(
  () => process.exit(0),
  (err) => {
    console.error(`${kind} ${target}: ${err.message}`);
    process.exit(1);
  },
);
