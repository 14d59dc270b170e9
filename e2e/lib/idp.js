// A real OpenID provider on loopback for the tests: npm oidc-provider (OpenID Certified), with a client that gets
// access tokens by the client-credentials grant, as JWTs (RFC 9068) for the audience `kezdesu` (or `other-app` when
// asked for the resource urn:other-app). Restartable on its port with a new signing key: key rotation.
import Provider from 'oidc-provider';
import { generateKeyPairSync } from 'node:crypto';
import { freePort } from './ports.js';

export const CLIENT = { id: 'reports', secret: 'the reporting job\'s client secret' };
/** A client whose access tokens live one second. */
export const SHORT_CLIENT = { id: 'short-lived', secret: 'the short-lived client\'s secret' };


function signingKey(kid) {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid, alg: 'ES256', use: 'sig' };
}

export const WEB_CLIENT = { id: 'kezdesu-web', secret: 'the web client\'s secret at the provider' };

/**
 * Starts the provider (on `port` when given); `rotate(kid)` restarts it on the same port with a new key. With
 * `redirectUri`, it also has the web client that signs people in (authorization code with PKCE); its development
 * login page takes any login and password, and the account it signs in is `<login>@example.org`, verified.
 */
export async function startIdp({ port: wanted, redirectUri } = {}) {
  const port = wanted ?? await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let server;
  const listen = async (kid) => {
    const provider = new Provider(issuer, {
      clients: [...[CLIENT, SHORT_CLIENT].map((c) => ({
        client_id: c.id, client_secret: c.secret, grant_types: ['client_credentials'], redirect_uris: [],
        response_types: [], token_endpoint_auth_method: 'client_secret_post', id_token_signed_response_alg: 'ES256',
      })), ...(redirectUri ? [{
        client_id: WEB_CLIENT.id, client_secret: WEB_CLIENT.secret, grant_types: ['authorization_code'],
        response_types: ['code'], redirect_uris: [redirectUri], id_token_signed_response_alg: 'ES256',
      }] : [])],
      pkce: { required: () => true },
      findAccount: (ctx, id) => ({
        accountId: id,
        claims: () => ({ sub: id, email: `${id}@example.org`, email_verified: true, name: `User ${id}` }),
      }),
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      jwks: { keys: [signingKey(kid)] },
      features: {
        devInteractions: { enabled: Boolean(redirectUri) },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'urn:kezdesu',
          useGrantedResource: () => true,
          getResourceServerInfo: (ctx, resource) => ({
            scope: 'api', audience: resource === 'urn:other-app' ? 'other-app' : 'kezdesu',
            accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
      ttl: { ClientCredentials: (ctx, token, client) => (client.clientId === SHORT_CLIENT.id ? 1 : 600) },
    });
    server = provider.listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  };
  // Kept-alive connections go too, so that no client reaches the old provider through one.
  const close = () => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  await listen('key-1');
  return {
    issuer,
    /** An access token of the client (or `client`); `resource` picks the audience. */
    async token(resource, client = CLIENT) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id,
        client_secret: client.secret, scope: 'api' });
      if (resource) body.set('resource', resource);
      const post = () => fetch(issuer + '/token', { method: 'POST', body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      // After a rotation the client may still hold a kept-alive connection the old provider closed: once more.
      const r = await post().catch((e) => (e.cause?.code === 'UND_ERR_SOCKET' ? post() : Promise.reject(e)));
      const json = await r.json();
      if (!r.ok) throw new Error('token endpoint: ' + JSON.stringify(json));
      return json.access_token;
    },
    async rotate(kid) {
      await close();
      await listen(kid);
    },
    stop: close,
  };
}
