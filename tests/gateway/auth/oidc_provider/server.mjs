// A real OpenID Connect provider (panva/oidc-provider) on loopback, for Gerbang's end-to-end
// authentication test. Not for production: in-memory storage, keys generated at every start.
//
//   node server.mjs [PORT]          PORT (or $OIDC_PORT); 0 or absent picks a free port
//
// Environment (all synthetic test values):
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET   the one confidential client (client_credentials grant)
//   OIDC_RESOURCES   space-separated resource indicators (audiences) whose access tokens are
//                    JWTs; the first is the default when a token request names none
//   OIDC_OPAQUE_RESOURCES  space-separated resource indicators whose access tokens are opaque
//                    (checked at the RFC 7662 introspection endpoint, /token/introspection)
//   OIDC_INTROSPECTOR_ID, OIDC_INTROSPECTOR_SECRET   optional second confidential client, with
//                    no grant, that a resource server uses to call the introspection endpoint
//   OIDC_SCOPES      space-separated scopes the client may ask for (and every resource accepts)
//   OIDC_CLIENT_ROLES, OIDC_CLIENT_AGENCY   put in client-credentials access tokens as
//                    "realm_access": {"roles": [...]} (Keycloak's shape) and "agency"
//   OIDC_TOKEN_TTL   access token lifetime in seconds (default 300)
//
// JWT access tokens are RS256, typ at+jwt, aud = the resource. Prints one line
// "READY {json}" (issuer, port) on standard output once listening; exits on SIGTERM or SIGINT, and
// with OIDC_EXIT_ON_STDIN_EOF=1 also when standard input closes (so a killed test run never leaves
// it behind).

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';

import Provider, { errors } from 'oidc-provider';

const HOST = '127.0.0.1';

function fail(message) {
  process.stderr.write(`oidc-provider test server: ${message}\n`);
  process.exit(2);
}

function required(name) {
  const value = process.env[name];
  if (!value) fail(`environment variable ${name} is required`);
  return value;
}

function words(name, fallback) {
  return (process.env[name] ?? fallback).split(/\s+/).filter(Boolean);
}

function portArgument() {
  const raw = process.argv[2] ?? process.env.OIDC_PORT ?? '0';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port ${JSON.stringify(raw)}`);
  return port;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

const clientId = required('OIDC_CLIENT_ID');
const clientSecret = required('OIDC_CLIENT_SECRET');
const resources = words('OIDC_RESOURCES', 'urn:gerbang:test');
const opaqueResources = words('OIDC_OPAQUE_RESOURCES', '');
const introspectorId = process.env.OIDC_INTROSPECTOR_ID || undefined;
const scopes = words('OIDC_SCOPES', 'gerbang:read');
const roles = words('OIDC_CLIENT_ROLES', '');
const agency = process.env.OIDC_CLIENT_AGENCY || undefined;
const tokenTTL = Number(process.env.OIDC_TOKEN_TTL ?? '300');
if (resources.length === 0) fail('OIDC_RESOURCES is empty');
if (!Number.isInteger(tokenTTL) || tokenTTL <= 0) fail('OIDC_TOKEN_TTL must be a positive integer');

// The issuer names the port, so listen first (port 0 = any free one), then build the provider.
const server = createServer();
server.listen(portArgument(), HOST);
await new Promise((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
}).catch((err) => fail(`cannot listen: ${err.message}`));
const { port } = server.address();
const issuer = `http://${HOST}:${port}`;

const clients = [{
  client_id: clientId,
  client_secret: clientSecret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: scopes.join(' '),
}];
if (introspectorId) {
  clients.push({
    client_id: introspectorId,
    client_secret: required('OIDC_INTROSPECTOR_SECRET'),
    grant_types: [],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  });
}

const provider = new Provider(issuer, {
  clients,
  scopes: ['openid', ...scopes],
  jwks: { keys: [signingKey()] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resources[0],
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        const info = { scope: scopes.join(' '), audience: resource, accessTokenTTL: tokenTTL };
        if (opaqueResources.includes(resource)) {
          return { ...info, accessTokenFormat: 'opaque' };
        }
        if (resources.includes(resource)) {
          return { ...info, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        }
        throw new errors.InvalidTarget();
      },
    },
  },
  extraTokenClaims: async (_ctx, token) => {
    if (token.kind !== 'ClientCredentials') return undefined;
    return {
      realm_access: { roles },
      ...(agency ? { agency } : {}),
    };
  },
});

server.on('request', provider.callback());

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.env.OIDC_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

process.stdout.write(`READY ${JSON.stringify({ issuer, port })}\n`);
