import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/paths';

/**
 * deploy/nginx.conf run for real by Debian's nginx, in the foreground, as a child of the test:
 * its own prefix, pid file and temporary folders, logs collected, loopback ports only. The suite
 * installs nothing: without the binary it fails with the command that installs it.
 */
export const NGINX_BINARY = '/usr/sbin/nginx';
export const DEPLOY_NGINX_CONF = path.join(PROJECT_ROOT, 'deploy', 'nginx.conf');
const OPENSSL_BINARY = '/usr/bin/openssl';

export function requireNginx(): void {
  if (!fs.existsSync(NGINX_BINARY)) {
    throw new Error(
      `the nginx tests need Debian's nginx at ${NGINX_BINARY}: install it with \`apt-get install -y nginx\` (.ci/run does when it is missing); they never skip`,
    );
  }
}

/** Where the rendered configuration sends each service: loopback ports of running instances. */
export interface Upstreams {
  readonly gateways: readonly number[];
  readonly comments: readonly number[];
}

export interface RenderOptions {
  /** Fills ${LOGIN_HOST} and ${COMMENTS_HOST}, as the nginx image's envsubst does. */
  readonly loginHost: string;
  readonly commentsHost: string;
  readonly upstreams: Upstreams;
  /** The loopback port that takes the place of 443. */
  readonly httpsPort: number;
  /** The loopback port that takes the place of 80. */
  readonly httpPort: number;
  /** Keeps TLS, with the certificates under this folder (<host>/fullchain.pem, privkey.pem); without it the 443 servers become plain HTTP. */
  readonly certificatesDir?: string;
  /** nginx's temporary folders and logs go here (a user other than root cannot write Debian's). */
  readonly tempDir: string;
}

/** Replaces every match of `pattern`, which must match exactly `expected` times: a rendering that silently misses a changed line would test another configuration. */
function replaceCounted(text: string, pattern: RegExp, replacement: (match: string, ...groups: string[]) => string, expected: number): string {
  const matches = text.match(pattern)?.length ?? 0;
  if (matches !== expected) throw new Error(`deploy/nginx.conf: expected ${expected} match(es) of ${pattern}, found ${matches}; update test/helpers/nginx.ts with the configuration`);
  return text.replace(pattern, replacement);
}

function upstreamServers(indent: string, ports: readonly number[], parameters: string): string {
  return ports.map((port) => `${indent}server 127.0.0.1:${port}${parameters};`).join('\n');
}

/**
 * deploy/nginx.conf as the test runs it. Only what ties it to a Docker host changes: the host
 * names, the instances' addresses, the listening ports (loopback), the certificates' folder or,
 * without certificates, TLS itself (its `listen … ssl` and `ssl_` lines), the temp folders and
 * where the logs go.
 * Everything else (headers, timeouts, limits, retries, error pages) is the file as shipped.
 */
export function renderNginxConfig(template: string, options: RenderOptions): string {
  let text = template.replaceAll('${LOGIN_HOST}', options.loginHost).replaceAll('${COMMENTS_HOST}', options.commentsHost);
  text = replaceCounted(text, /^([ \t]+)server gateway:4000([^;]*);/gm, (_match, indent, parameters) => upstreamServers(indent!, options.upstreams.gateways, parameters!), 1);
  text = replaceCounted(text, /^([ \t]+)server comments:4100([^;]*);/gm, (_match, indent, parameters) => upstreamServers(indent!, options.upstreams.comments, parameters!), 1);
  text = replaceCounted(text, /^([ \t]+)listen 80\b/gm, (_match, indent) => `${indent}listen 127.0.0.1:${options.httpPort}`, 1);
  if (options.certificatesDir === undefined) {
    text = replaceCounted(text, /^([ \t]+)listen 443 ssl\b/gm, (_match, indent) => `${indent}listen 127.0.0.1:${options.httpsPort}`, 3);
    text = text.replace(/^[ \t]*ssl_\w+ [^;]*;\n/gm, '');
  } else {
    text = replaceCounted(text, /^([ \t]+)listen 443 ssl\b/gm, (_match, indent) => `${indent}listen 127.0.0.1:${options.httpsPort} ssl`, 3);
    text = replaceCounted(text, /^([ \t]+ssl_certificate(?:_key)? )\/etc\/nginx\/certs\//gm, (_match, directive) => `${directive}${options.certificatesDir}/`, 4);
  }
  // Logs to files: nginx opens /dev/stdout and /dev/stderr, which fails on the sockets Node gives a child.
  text = replaceCounted(text, /^error_log \/dev\/stderr /gm, () => `error_log ${path.join(options.tempDir, 'error.log')} `, 1);
  text = replaceCounted(text, /^([ \t]+)access_log \/dev\/stdout /gm, (_match, indent) => `${indent}access_log ${path.join(options.tempDir, 'access.log')} `, 1);
  const temp = (name: string) => path.join(options.tempDir, name);
  const tempPaths = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${temp(kind)};`).join('\n');
  return replaceCounted(text, /^http \{$/gm, () => `http {\n${tempPaths}`, 1);
}

export interface RunningNginx {
  /** What nginx wrote to its error log and its access log so far. */
  output(): string;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Checks `config` (nginx -t), then runs it until stop(); resolves once `port` accepts connections. */
export async function startNginx(config: string, dir: string, port: number): Promise<RunningNginx> {
  requireNginx();
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, config);
  const args = ['-p', dir, '-c', file, '-g', `daemon off; pid ${path.join(dir, 'nginx.pid')};`];
  try {
    await promisify(execFile)(NGINX_BINARY, ['-t', ...args]);
  } catch (error) {
    throw new Error(`nginx -t refused the configuration:\n${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  let startup = '';
  const child: ChildProcess = spawn(NGINX_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => {
    startup = (startup + chunk.toString('utf8')).slice(-20_000);
  });
  const output = () =>
    [startup, ...['error.log', 'access.log'].map((name) => path.join(dir, name)).filter((file) => fs.existsSync(file)).map((file) => fs.readFileSync(file, 'utf8'))].join('\n');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; !(await accepts(port)); attempt += 1) {
    if (child.exitCode !== null || attempt > 100) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start listening on ${port}:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A self-signed certificate for `host` in `dir/<host>/` (fullchain.pem, privkey.pem), as certbot lays them out; returns the certificate. */
export async function makeCertificate(dir: string, host: string): Promise<string> {
  if (!fs.existsSync(OPENSSL_BINARY)) throw new Error(`the nginx TLS test needs ${OPENSSL_BINARY}: apt-get install -y openssl`);
  const folder = path.join(dir, host);
  fs.mkdirSync(folder, { recursive: true });
  const certificate = path.join(folder, 'fullchain.pem');
  await promisify(execFile)(OPENSSL_BINARY, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`,
    '-keyout', path.join(folder, 'privkey.pem'), '-out', certificate,
  ]);
  return fs.readFileSync(certificate, 'utf8');
}
