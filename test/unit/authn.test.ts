import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createServer, request } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  UnauthorizedError,
  authenticateRequest,
  authenticatorNames,
  bearerToken,
  createAuthenticator,
  parseTokenFile,
  registerAuthenticator,
} from '../../src/apiserver/authn/index.js';
import type { Authenticator } from '../../src/apiserver/authn/index.js';
import { ensurePki, issueClientCert, writeKubeconfig } from '../../src/pki/index.js';
import type { Pki } from '../../src/pki/index.js';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };
const TOKENS = ['good-token,alice,uid-1,"dev,ops"', 'robot-token,robot,,', ''].join('\n');

let dir: string;
let pki: Pki;
let otherPki: Pki;
let server: Server;
let base: string;
let tokenPath: string;

async function serve(authenticators: Authenticator[]): Promise<Server> {
  const srv = createServer(
    { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      authenticateRequest(req, authenticators).then(
        (user) => {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(req.url === '/version' ? VERSION : user));
        },
        (err: unknown) => {
          if (!(err instanceof UnauthorizedError)) {
            res.statusCode = 500;
            res.end(String(err));
            return;
          }
          res.statusCode = err.code;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(err.status));
        },
      );
    },
  );
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}

interface Reply {
  status: number;
  body: any;
}

function get(path: string, opts: { cert?: string; key?: string; token?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        ca: pki.caCertPem,
        cert: opts.cert,
        key: opts.key,
        agent: false,
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'k8ts-authn-'));
  pki = await ensurePki(join(dir, 'cluster'), { hosts: [] });
  otherPki = await ensurePki(join(dir, 'other'), { hosts: [] });
  tokenPath = join(dir, 'tokens.csv');
  await writeFile(tokenPath, TOKENS);
  server = await serve([createAuthenticator('client-cert'), createAuthenticator('token-file', { path: tokenPath })]);
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('authentication over TLS', () => {
  it('accepts the admin client certificate: user admin in system:masters', async () => {
    const r = await get('/whoami', { cert: pki.adminCertPem, key: pki.adminKeyPem });
    expect(r).toEqual({ status: 200, body: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } });
  });

  it('takes every O value of an issued client certificate as a group', async () => {
    const c = await issueClientCert(pki, { user: 'system:node:n1', groups: ['system:nodes', 'extra'], days: 1 });
    const r = await get('/whoami', { cert: c.certPem, key: c.keyPem });
    expect(r.body).toEqual({ username: 'system:node:n1', groups: ['system:nodes', 'extra', 'system:authenticated'] });
  });

  it('answers 401 with an Unauthorized Status when no credential is presented', async () => {
    expect(await get('/whoami')).toEqual({ status: 401, body: UNAUTHORIZED });
  });

  it('rejects a client certificate from another CA', async () => {
    expect(await get('/whoami', { cert: otherPki.adminCertPem, key: otherPki.adminKeyPem })).toEqual({
      status: 401,
      body: UNAUTHORIZED,
    });
  });

  it('rejects a certificate that is not for client authentication', async () => {
    expect((await get('/whoami', { cert: pki.serverCertPem, key: pki.serverKeyPem })).status).toBe(401);
  });

  it('accepts a valid bearer token from the token file', async () => {
    const r = await get('/whoami', { token: 'good-token' });
    expect(r).toEqual({ status: 200, body: { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops', 'system:authenticated'] } });
    expect((await get('/whoami', { token: 'robot-token' })).body).toEqual({ username: 'robot', groups: ['system:authenticated'] });
  });

  it('rejects an invalid bearer token', async () => {
    for (const token of ['bad-token', 'good-toke', 'good-token-', 'GOOD-TOKEN']) {
      expect(await get('/whoami', { token }), token).toEqual({ status: 401, body: UNAUTHORIZED });
    }
  });

  it('a valid token still authenticates when a rejected certificate is also presented', async () => {
    const r = await get('/whoami', { cert: otherPki.adminCertPem, key: otherPki.adminKeyPem, token: 'good-token' });
    expect(r.status).toBe(200);
    expect(r.body.username).toBe('alice');
  });
});

describe('kubectl 1.32 against the certificates', () => {
  function kubectl(kubeconfig: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: dir } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('trusts the serving certificate and authenticates with the admin certificate', async () => {
    const kc = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(kc, { server: base, caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
    const version = await kubectl(kc, 'get', '--raw', '/version');
    expect(version.stderr).toBe('');
    expect(JSON.parse(version.stdout)).toEqual(VERSION);
    const who = await kubectl(kc, 'get', '--raw', '/whoami');
    expect(JSON.parse(who.stdout)).toEqual({ username: 'admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('authenticates with a bearer token and reports Unauthorized for a bad one', async () => {
    const good = join(dir, 'token.kubeconfig');
    await writeKubeconfig(good, { server: base, caPem: pki.caCertPem, token: 'good-token', user: 'alice' });
    expect(JSON.parse((await kubectl(good, 'get', '--raw', '/whoami')).stdout).username).toBe('alice');

    const bad = join(dir, 'bad-token.kubeconfig');
    await writeKubeconfig(bad, { server: base, caPem: pki.caCertPem, token: 'nope', user: 'mallory' });
    const r = await kubectl(bad, 'get', '--raw', '/version');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unauthorized');
  });

  it('refuses a server whose certificate is not signed by the kubeconfig CA', async () => {
    const kc = join(dir, 'wrong-ca.kubeconfig');
    await writeKubeconfig(kc, { server: base, caPem: otherPki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
    const r = await kubectl(kc, 'get', '--raw', '/version');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate/i);
  });
});

describe('token file format', () => {
  const cases: Array<{ name: string; csv: string; want?: unknown; error?: RegExp }> = [
    { name: 'three columns', csv: 't1,bob,u1\n', want: [{ token: 't1', user: { username: 'bob', uid: 'u1', groups: [] } }] },
    {
      name: 'quoted group list',
      csv: 't1,bob,u1,"a,b,c"',
      want: [{ token: 't1', user: { username: 'bob', uid: 'u1', groups: ['a', 'b', 'c'] } }],
    },
    { name: 'single unquoted group, extra columns ignored', csv: 't1,bob,u1,a,ignored', want: [{ token: 't1', user: { username: 'bob', uid: 'u1', groups: ['a'] } }] },
    { name: 'CRLF and blank lines', csv: '\r\nt1,bob,u1\r\n\r\nt2,amy,u2\r\n', want: [
      { token: 't1', user: { username: 'bob', uid: 'u1', groups: [] } },
      { token: 't2', user: { username: 'amy', uid: 'u2', groups: [] } },
    ] },
    { name: 'quoted field with doubled quote', csv: '"t""1",bob,u1', want: [{ token: 't"1', user: { username: 'bob', uid: 'u1', groups: [] } }] },
    { name: 'empty token skipped', csv: ',bob,u1\nt2,amy,u2', want: [{ token: 't2', user: { username: 'amy', uid: 'u2', groups: [] } }] },
    { name: 'too few columns', csv: 't1,bob', error: /must have at least 3 columns \(token, user name, user uid\), found 2/ },
    { name: 'bare quote', csv: 't"1,bob,u1', error: /bare "/ },
    { name: 'unterminated quote', csv: '"t1,bob,u1', error: /quoted-field/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) expect(() => parseTokenFile(c.csv)).toThrow(c.error);
      else expect(parseTokenFile(c.csv)).toEqual(c.want);
    });
  }

  it('the last record wins for a repeated token', async () => {
    const a = createAuthenticator('token-file', { csv: 'dup,first,1\ndup,second,2' });
    const user = await a.authenticate(fakeRequest({ authorization: 'Bearer dup' }));
    expect(user?.username).toBe('second');
  });
});

function fakeRequest(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: {} } as unknown as IncomingMessage;
}

describe('bearer header parsing', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['  Bearer abc  ', 'abc'],
    ['Bearer abc def', 'abc'],
    ['Bearer ', undefined],
    ['Basic YWxpY2U6cHc=', undefined],
    ['Bearerabc', undefined],
  ];
  for (const [header, want] of cases) {
    it(`${JSON.stringify(header)} -> ${JSON.stringify(want)}`, () => {
      expect(bearerToken(fakeRequest(header === undefined ? {} : { authorization: header }))).toBe(want);
    });
  }
});

describe('chain and registry', () => {
  const fixed = (name: string, result: 'none' | 'fail' | string): Authenticator => ({
    name,
    authenticate: () => {
      if (result === 'none') return undefined;
      if (result === 'fail') throw new AuthenticationError(`${name} rejected`);
      return Promise.resolve({ username: result, groups: ['g', 'g'] });
    },
  });

  it('the first authenticator that returns a user decides; groups are de-duplicated', async () => {
    const user = await authenticateRequest(fakeRequest({}), [fixed('a', 'none'), fixed('b', 'fail'), fixed('c', 'carol'), fixed('d', 'dave')]);
    expect(user).toEqual({ username: 'carol', groups: ['g', 'system:authenticated'] });
  });

  it('throws UnauthorizedError carrying the rejections when nothing matches', async () => {
    const err = await authenticateRequest(fakeRequest({}), [fixed('a', 'none'), fixed('b', 'fail')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as UnauthorizedError).status).toEqual(UNAUTHORIZED);
    expect((err as UnauthorizedError).causes.map((e) => e.message)).toEqual(['b rejected']);
  });

  it('does not add system:authenticated to system:anonymous', async () => {
    const anon: Authenticator = { name: 'anon', authenticate: () => ({ username: 'system:anonymous', groups: ['system:unauthenticated'] }) };
    expect((await authenticateRequest(fakeRequest({}), [anon])).groups).toEqual(['system:unauthenticated']);
  });

  it('knows the built-in authenticators and accepts new ones', async () => {
    expect(authenticatorNames()).toEqual(expect.arrayContaining(['client-cert', 'token-file']));
    expect(() => createAuthenticator('nope')).toThrow(/unknown authenticator "nope"/);
    expect(() => createAuthenticator('token-file', {})).toThrow(/path/);
    registerAuthenticator('test-fixed', (o) => fixed('test-fixed', String(o.user)));
    const a = createAuthenticator('test-fixed', { user: 'zed' });
    expect((await authenticateRequest(fakeRequest({}), [a])).username).toBe('zed');
  });
});
