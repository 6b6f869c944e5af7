import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accessToken } from '../../../test/comments/dpop-support';
import { freePort } from '../../../test/helpers/free-port';
import { COMMENTS_URL, startTestGateway, type RunningTestGateway } from '../../../test/helpers/gateway';
import { discover } from '../../../test/helpers/oidc-client';
import { dpopKey, makeProof, type DpopKey } from './helpers/dpop';
import { filesUnder, installInNewProject, linkFromRepository, packVerifier, REPOSITORY_ROOT, run, type PackedTarball } from './blog-project';
import { readmeSnippets, snippetNamed, withValues } from './readme-snippets';
import { startSnippetServer } from './snippet-server';
import { typecheck } from './typecheck';

/**
 * @parley/verify as a blog owner gets it: `npm pack` in this repository, `npm install` of the
 * tarball in a new project (no network), then the README's examples, copied as they are, run
 * against a real gateway with tokens from a real sign-in by email, Bearer and DPoP-bound.
 */

const SITE = 'demo-blog';
const OTHER_SITE = 'other-blog';
/** Small: one unminified bundle and its declarations, no sources or maps (about 35 kB in December 2026). */
const MAX_TARBALL_BYTES = 64 * 1024;

const snippets = readmeSnippets(path.join(__dirname, '../README.md'));

let workDir: string;
/** The blog owner's project, with the tarball installed. */
let project: string;
let tarballPath: string;
let tarball: PackedTarball;
let gateway: RunningTestGateway;
/** Tokens of a real sign-in by Ada: for the site, for another site, and for the site bound to `adaKey`. */
let siteToken: string;
let otherSiteToken: string;
let boundToken: string;
/** Ada's browser's DPoP key. */
let adaKey: DpopKey;
/** Started as soon as the package is installed: tsc is slow, and needs neither gateway nor tokens. */
let typechecks: ReturnType<typeof typecheckTheTypeScriptExample>;

/**
 * The README's TypeScript example, checked as a blog owner's project would check it: with
 * node16/nodenext resolution (an .mts file imports the package, a .cts file requires it; the
 * stricter options are TypeScript 5.9's `tsc --init`), bundler, and node10 (`types`/`main`).
 */
async function typecheckTheTypeScriptExample(): Promise<{ nodeNext: string[]; bundler: string[]; node10: string[] }> {
  const source = snippetNamed(snippets, 'commenter-of.ts').code;
  const [nodeNext, bundler, node10] = await Promise.all([
    typecheck(
      path.join(project, 'typecheck-nodenext'),
      { module: 'nodenext', moduleResolution: 'nodenext', exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true },
      { 'commenter-of.mts': source, 'commenter-of.cts': source },
    ),
    typecheck(path.join(project, 'typecheck-bundler'), { module: 'esnext', moduleResolution: 'bundler' }, { 'commenter-of.ts': source }),
    typecheck(path.join(project, 'typecheck-node10'), { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: false }, { 'commenter-of.ts': source }),
  ]);
  return { nodeNext: nodeNext!, bundler: bundler!, node10: node10! };
}

/** The README's example values, and the test gateway's. */
function exampleValues(port: number): Record<string, string> {
  return {
    "'https://login.blog.example'": `'${gateway.issuer}'`,
    "'https://comments.blog.example'": `'${COMMENTS_URL}'`,
    "'my-blog'": `'${SITE}'`,
    'listen(3000)': `listen(${port})`,
  };
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly challenge: string | null;
}

/** POSTs a comment to the example, with `Authorization: <scheme> <token>` and a DPoP proof when given. */
async function postComment(url: string, credentials: { token?: string; scheme?: 'Bearer' | 'DPoP'; proof?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credentials.token !== undefined) headers['authorization'] = `${credentials.scheme ?? 'Bearer'} ${credentials.token}`;
  if (credentials.proof !== undefined) headers['dpop'] = credentials.proof;
  const response = await fetch(`${url}/comments`, { method: 'POST', headers, body: JSON.stringify({ body: 'What a fine engine.' }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, challenge: response.headers.get('www-authenticate') };
}

function expectRefusal(answer: Answer, status: number, error: string, challenge: RegExp): void {
  expect({ status: answer.status, error: answer.body['error'] }).toEqual({ status, error });
  expect(answer.challenge).toMatch(challenge);
}

/**
 * Runs the README example `fileName` in the project's app folder (where express is installed)
 * and shows it binds tokens to the site, and bound tokens to their key: its own site's token in,
 * another site's and none out; a DPoP-bound token in only with a fresh proof for the public URL.
 */
async function expectExampleToServeOnlyItsSite(fileName: string): Promise<void> {
  const port = await freePort();
  const app = path.join(project, 'app');
  fs.writeFileSync(path.join(app, fileName), withValues(snippetNamed(snippets, fileName), exampleValues(port)));
  const server = await startSnippetServer(fileName, app, port);
  try {
    const accepted = await postComment(server.url, { token: siteToken });
    expect({ status: accepted.status, body: accepted.body }).toEqual({ status: 200, body: { by: 'ada' } });
    expectRefusal(await postComment(server.url, { token: otherSiteToken }), 403, 'wrong_site', /^Bearer error="insufficient_scope"/);
    expectRefusal(await postComment(server.url), 401, 'invalid_token', /^Bearer error="invalid_token"/);
    // The site's own token with its signature cut short: a forgery, not a wrong site.
    expectRefusal(await postComment(server.url, { token: siteToken.slice(0, -4) }), 401, 'invalid_token', /^Bearer error="invalid_token"/);

    // A token bound to Ada's browser key: taken from the page, it is useless as Bearer...
    expectRefusal(await postComment(server.url, { token: boundToken }), 401, 'invalid_token', /^DPoP error="invalid_token"/);
    // ...and good with her proof, made for the URL readers use (the audience's origin, as behind
    // a proxy), not the loopback address the example listens on; once.
    const proof = makeProof(adaKey, { htu: `${COMMENTS_URL}/comments`, token: boundToken });
    const bound = await postComment(server.url, { token: boundToken, scheme: 'DPoP', proof });
    expect({ status: bound.status, body: bound.body }).toEqual({ status: 200, body: { by: 'ada' } });
    expectRefusal(await postComment(server.url, { token: boundToken, scheme: 'DPoP', proof }), 401, 'invalid_dpop_proof', /^DPoP error="invalid_dpop_proof"/);
    const forTheListener = makeProof(adaKey, { htu: `${server.url}/comments`, token: boundToken });
    expectRefusal(await postComment(server.url, { token: boundToken, scheme: 'DPoP', proof: forTheListener }), 401, 'invalid_dpop_proof', /^DPoP error="invalid_dpop_proof"/);
  } catch (error) {
    throw new Error(`${fileName}: ${(error as Error).message}\n--- its output ---\n${server.output()}`);
  } finally {
    await server.stop();
  }
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-verify-pack-'));
  project = path.join(workDir, 'my-blog');
  // Packing (a build) and starting the gateway do not depend on each other.
  const [packed, started] = await Promise.all([packVerifier(workDir), startTestGateway()]);
  ({ tarballPath, tarball } = packed);
  gateway = started;
  await installInNewProject(project, tarballPath);
  // The examples' own dependency, express, in a folder of their own: the TypeScript checks run
  // beside it, in folders from which nothing but the package and Node's types can be found.
  linkFromRepository(path.join(project, 'app'), 'express');
  linkFromRepository(project, '@types/node');
  typechecks = typecheckTheTypeScriptExample();
  typechecks.catch(() => undefined); // Reported by the test that awaits it.

  const discovery = await discover(gateway.issuer);
  adaKey = dpopKey();
  siteToken = await accessToken(discovery, 'ada@example.com', SITE, undefined);
  otherSiteToken = await accessToken(discovery, 'ada@example.com', OTHER_SITE, undefined);
  boundToken = await accessToken(discovery, 'ada@example.com', SITE, adaKey);
}, 90_000);

afterAll(async () => {
  await typechecks?.catch(() => undefined);
  await gateway?.stop();
  if (workDir !== undefined) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('npm pack ./packages/verify, then npm install of the tarball in a new project', () => {
  it('packs only the built package: the CommonJS and ES module entries, declarations, README', () => {
    const paths = tarball.files.map((file) => file.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts']));
    expect(paths.filter((file) => !/^dist\/[\w-]+\.(js|mjs|d\.ts|d\.mts)$/.test(file))).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(tarball.entryCount).toBe(paths.length);
    expect(tarball.size).toBeLessThan(MAX_TARBALL_BYTES);
  });

  it('installs with no dependency at all, offline', () => {
    const installed = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/@parley/verify/package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed['name']).toBe('@parley/verify');
    expect(installed['dependencies']).toBeUndefined();
    expect(installed['peerDependencies']).toBeUndefined();
    expect(installed['optionalDependencies']).toBeUndefined();
    // npm installed the one package and nothing beside it (the links above came afterwards).
    const lock = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages)).toEqual(['node_modules/@parley/verify']);
  });

  it('loads one copy of the verifier whether imported or required', async () => {
    const script = [
      "import * as imported from '@parley/verify';",
      "import { createRequire } from 'node:module';",
      "const required = createRequire(import.meta.url)('@parley/verify');",
      'console.log(JSON.stringify({ same: imported.VerifyError === required.VerifyError && imported.createVerifier === required.createVerifier,',
      '  imported: Object.keys(imported).sort(), required: Object.keys(required).sort() }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], project);
    const loaded = JSON.parse(stdout) as { same: boolean; imported: string[]; required: string[] };
    expect(loaded.same).toBe(true);
    expect(loaded.imported).toEqual(loaded.required);
    expect(loaded.imported).toEqual(expect.arrayContaining(['createVerifier', 'requireCommenter', 'getCommenter', 'bearerToken', 'VerifyError', 'WrongSiteError']));
  });
});

describe("the README's examples, run as a blog owner would against a real gateway", () => {
  it('Express, CommonJS (server.cjs): 200 with the name for the site\'s token (Bearer, or DPoP with its proof), 403 wrong_site for another site\'s, 401 without', async () => {
    await expectExampleToServeOnlyItsSite('server.cjs');
  });

  it("the root README shows the same Express example as the package's", () => {
    const rootReadme = readmeSnippets(path.join(REPOSITORY_ROOT, 'README.md'));
    expect(snippetNamed(rootReadme, 'server.cjs').code).toBe(snippetNamed(snippets, 'server.cjs').code);
  });

  it('plain node:http, ES module (server.mjs): the same', async () => {
    await expectExampleToServeOnlyItsSite('server.mjs');
  });

  it('TypeScript (commenter-of.ts) typechecks strictly against the shipped declarations, without @types/express', async () => {
    const { nodeNext, bundler, node10 } = await typechecks;
    const dist = path.join(project, 'node_modules/@parley/verify/dist');
    // Each resolution found the entry its condition names (exports' import/require, or `types`).
    expect(nodeNext).toEqual(expect.arrayContaining([path.join(dist, 'index.d.mts'), path.join(dist, 'index.d.ts')]));
    expect(bundler).toContain(path.join(dist, 'index.d.mts'));
    expect(node10).toContain(path.join(dist, 'index.d.ts'));
    for (const files of [nodeNext, bundler, node10]) {
      expect(files.filter((file) => /[\\/]express[\\/]/.test(file))).toEqual([]);
    }
  }, 60_000);

  it('ships declarations that import nothing but Node and each other', () => {
    const dist = path.join(project, 'node_modules/@parley/verify/dist');
    const imported = filesUnder(dist)
      .filter((file) => /\.d\.m?ts$/.test(file))
      .flatMap((file) => {
        const source = fs.readFileSync(path.join(dist, file), 'utf8');
        return [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => `${file}: ${match[1]}`);
      });
    expect(imported.filter((entry) => !/: (\.\/|node:)/.test(entry))).toEqual([]);
  });
});
