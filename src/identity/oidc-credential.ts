/**
 * How Vigil proves itself to the provider's token endpoint: a client secret,
 * or a certificate (`private_key_jwt`: a short JWT signed with the
 * certificate's RSA key, naming the certificate by its SHA-1 thumbprint in
 * `x5t`, as Entra ID requires). Secrets and keys arrive as text from config;
 * nothing here logs them.
 */
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcCredential } from './oidc-types.ts';

/**
 * Checks a PEM certificate and its PEM private key (PKCS#8 or PKCS#1, RSA)
 * and returns the certificate credential, or why it is refused.
 */
export function certificateCredential(
  certificatePem: string,
  privateKeyPem: string,
): { credential: OidcCredential } | { error: string } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    return { error: 'is not a PEM X.509 certificate' };
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    return { error: 'is not a PEM private key' };
  }
  if (key.asymmetricKeyType !== 'rsa') return { error: 'must be an RSA key (Entra ID signs with RS256)' };
  if (!certificate.checkPrivateKey(key)) return { error: 'is not the key of the certificate' };
  const pkcs8 = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  // `x5t` is the base64url SHA-1 of the certificate's DER: how Entra finds the uploaded certificate.
  const thumbprint = createHash('sha1').update(certificate.raw).digest('base64url');
  return { credential: { kind: 'certificate', privateKeyPem: pkcs8, thumbprint } };
}

async function importRsaSigningKey(pkcs8Pem: string): Promise<client.CryptoKey> {
  const der = Buffer.from(pkcs8Pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
    'sign',
  ]);
}

/** openid-client's client metadata and authentication method for a credential. */
export async function clientAuthentication(
  credential: OidcCredential,
): Promise<{ metadata: string | undefined; auth: client.ClientAuth | undefined }> {
  if (credential.kind === 'secret') return { metadata: credential.secret, auth: undefined };
  const key = await importRsaSigningKey(credential.privateKeyPem);
  const { thumbprint } = credential;
  return {
    metadata: undefined,
    auth: client.PrivateKeyJwt(key, {
      [client.modifyAssertion]: (header) => {
        header.x5t = thumbprint;
      },
    }),
  };
}
