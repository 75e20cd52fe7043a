/**
 * Self-signed RSA certificates for single sign-on tests with certificate
 * credentials (`private_key_jwt`), made by the `openssl` command once per
 * name and kept for the test run. Generated, never committed: a private key
 * in the repository would be flagged by secret scanners, rightly.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** The public key as a JWK, for the provider's client registration. */
  publicJwk: JWK;
  /** base64url SHA-1 of the certificate's DER (`x5t`). */
  thumbprint: string;
}

const made = new Map<string, TestCertificate>();

export function makeCertificate(name: string): TestCertificate {
  const known = made.get(name);
  if (known) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-oidc-cert-'));
  try {
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
      ],
      { stdio: 'ignore' },
    );
    const certificatePem = fs.readFileSync(cert, 'utf8');
    const privateKeyPem = fs.readFileSync(key, 'utf8');
    const certificate: TestCertificate = {
      certificatePem,
      privateKeyPem,
      publicJwk: createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'jwk' }) as JWK,
      thumbprint: createHash('sha1').update(new X509Certificate(certificatePem).raw).digest('base64url'),
    };
    made.set(name, certificate);
    return certificate;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
