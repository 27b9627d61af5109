'use strict';
// Reference implementation of SmartAuth's two hot routes in Node.js, for `smart-auth bench http`:
//
//   GET  /v1/userinfo   verifies the bearer access token (signature, exp, iss, aud, typ at+jwt) with jose on every
//                       request and answers {"sub","sid","roles","aal"}.
//   POST /v1/token      grant_type=refresh_token (form body): looks the refresh token up in an in-memory Map,
//                       rotates it (the old token is deleted, a new random one stored) and answers a newly signed
//                       access token (same algorithm, same claims as SmartAuth's) with the new refresh token.
//
// No replay detection and no persistence (SmartAuth does both); everything else is done per request.
//
// usage: node reference.js --framework http|express --port PORT --alg HS256|ES256 --key KEY.jwk
//                          --refresh-tokens FILE --issuer ISS --audience AUD [--host 127.0.0.1] [--access-ttl 900]
//   KEY.jwk          the signing key as a private JWK (HS256: {"kty":"oct","k":…}; ES256: {"kty":"EC",…,"d":…})
//   FILE             one refresh token per line: "TOKEN<TAB>SUB<TAB>SID"
// Libraries come from Debian (node-jose = panva's jose v4, node-express): run with NODE_PATH=/usr/share/nodejs.

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const jose = require('jose');

function parseArguments(argv) {
  const options = { host: '127.0.0.1', 'access-ttl': '900' };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    options[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of ['framework', 'port', 'alg', 'key', 'refresh-tokens', 'issuer', 'audience']) {
    if (options[name] === undefined) throw new Error(`--${name} is required`);
  }
  if (!['http', 'express'].includes(options.framework)) throw new Error('--framework must be http or express');
  if (!['HS256', 'ES256'].includes(options.alg)) throw new Error('--alg must be HS256 or ES256');
  return options;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const alg = options.alg;
  const issuer = options.issuer;
  const audience = options.audience;
  const accessTTL = Number(options['access-ttl']);

  // Keys: imported once, as KeyObjects (the fastest way jose v4 takes them).
  const jwk = JSON.parse(fs.readFileSync(options.key, 'utf8'));
  const kid = jwk.kid;
  let signingKey;
  let verificationKey;
  if (alg === 'HS256') {
    signingKey = verificationKey = crypto.createSecretKey(Buffer.from(jwk.k, 'base64url'));
  } else {
    const { kty, crv, x, y, d } = jwk;
    signingKey = await jose.importJWK({ kty, crv, x, y, d }, alg);
    verificationKey = await jose.importJWK({ kty, crv, x, y }, alg);
  }
  const verifyOptions = {
    issuer, audience, algorithms: [alg], typ: 'at+jwt', clockTolerance: 5, requiredClaims: ['exp', 'sub', 'sid'],
  };

  // Refresh tokens: token → session, pre-seeded.
  const sessions = new Map();
  for (const line of fs.readFileSync(options['refresh-tokens'], 'utf8').split('\n')) {
    if (!line) continue;
    const [token, sub, sid] = line.split('\t');
    sessions.set(token, { sub, sid, roles: ['user'], aal: 1 });
  }

  const json = (status, body, headers = {}) => ({ status, body: JSON.stringify(body), headers });
  const unauthorized = (description) => json(401, { error: 'invalid_token', error_description: description }, {
    'WWW-Authenticate': `Bearer realm="api", error="invalid_token"`,
  });

  async function userinfo(authorization) {
    if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) {
      return json(401, { error: 'invalid_request' }, { 'WWW-Authenticate': 'Bearer realm="api"' });
    }
    let payload;
    try {
      ({ payload } = await jose.jwtVerify(authorization.slice(7), verificationKey, verifyOptions));
    } catch (error) {
      return unauthorized('the access token is invalid');
    }
    return json(200, { sub: payload.sub, sid: payload.sid, roles: payload.roles, aal: payload.aal });
  }

  async function token(parameters) {
    if (parameters.grant_type !== 'refresh_token') return json(400, { error: 'unsupported_grant_type' });
    const presented = parameters.refresh_token;
    const session = typeof presented === 'string' ? sessions.get(presented) : undefined;
    if (session === undefined) return json(400, { error: 'invalid_grant' });
    // Rotate: the presented token is spent, a new one takes its place.
    sessions.delete(presented);
    const next = crypto.randomBytes(32).toString('base64url');
    sessions.set(next, session);
    const accessToken = await new jose.SignJWT({ sid: session.sid, roles: session.roles, aal: session.aal })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid })
      .setIssuer(issuer).setSubject(session.sub).setAudience(audience)
      .setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1000) + accessTTL)
      .setJti(crypto.randomBytes(16).toString('base64url'))
      .sign(signingKey);
    return json(200, {
      access_token: accessToken, token_type: 'Bearer', expires_in: accessTTL, refresh_token: next,
      session_id: session.sid,
    }, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  }

  const notFound = () => json(404, { error: 'not_found' });
  const port = Number(options.port);
  let server;

  if (options.framework === 'http') {
    const send = (res, reply) => {
      res.writeHead(reply.status, {
        'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers,
      });
      res.end(reply.body);
    };
    server = http.createServer((req, res) => {
      const path = req.url.split('?', 1)[0];
      if (req.method === 'GET' && path === '/v1/userinfo') {
        userinfo(req.headers.authorization).then((reply) => send(res, reply), () => send(res, json(500, {})));
      } else if (req.method === 'POST' && path === '/v1/token') {
        const chunks = [];
        let size = 0;
        req.on('data', (chunk) => {
          size += chunk.length;
          if (size > 1 << 20) { req.destroy(); return; }
          chunks.push(chunk);
        });
        req.on('end', () => {
          const parameters = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
          token(parameters).then((reply) => send(res, reply), () => send(res, json(500, {})));
        });
      } else {
        send(res, notFound());
      }
    });
  } else {
    const express = require('express');
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    const send = (res, reply) => res.status(reply.status).set(reply.headers).type('application/json').send(reply.body);
    app.get('/v1/userinfo', async (req, res) => {
      try { send(res, await userinfo(req.get('authorization'))); } catch { send(res, json(500, {})); }
    });
    app.post('/v1/token', express.urlencoded({ extended: false, limit: '1mb' }), async (req, res) => {
      try { send(res, await token(req.body || {})); } catch { send(res, json(500, {})); }
    });
    app.use((req, res) => send(res, notFound()));
    server = http.createServer(app);
  }

  server.keepAliveTimeout = 65_000;
  server.listen(port, options.host, () => {
    process.stdout.write(`reference (${options.framework}, ${alg}) listening on ${options.host}:${port}\n`);
  });
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`reference.js: ${error.message}\n`);
  process.exit(2);
});
