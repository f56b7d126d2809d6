/**
 * Throwaway PKI for one control plane: a CA, the apiserver's serving certificate for 127.0.0.1 and
 * localhost, an admin client certificate in `system:masters`, the service-account key pair and a
 * static admin token. ECDSA keys, so generation takes milliseconds rather than seconds.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ControlPlanePki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  tokenAuthFile: string;
  adminToken: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    throw new Error(`openssl ${args[0] ?? ''} failed: ${(err as Error).message}; is openssl installed?`, {
      cause: err,
    });
  }
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(['req', ...ecKey, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  await openssl(
    // A random serial per certificate: -CAcreateserial shares ca.srl, and the certificates are issued
    // in parallel, so one openssl could read the file while the other writes it ("short line").
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key'].concat([
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      '365',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]),
    dir,
  );
}

export async function createPki(dir: string): Promise<ControlPlanePki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await openssl(
    [
      'req',
      '-x509',
      ...ecKey,
      '-days',
      '365',
      '-subj',
      '/CN=mcp-controllers-test-ca',
      '-keyout',
      'ca.key',
    ].concat(['-out', 'ca.crt']),
    dir,
  );
  await Promise.all([
    issue(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,' +
        'DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
    ),
    issue(dir, 'admin', '/O=system:masters/CN=mcp-controllers-admin', 'extendedKeyUsage=clientAuth\n'),
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key'], dir),
  ]);
  await openssl(['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const adminToken = randomBytes(24).toString('hex');
  const tokenAuthFile = join(dir, 'token-auth.csv');
  await writeFile(tokenAuthFile, `${adminToken},mcp-controllers-admin,admin-uid,"system:masters"\n`, {
    mode: 0o600,
  });
  for (const key of ['ca.key', 'apiserver.key', 'admin.key', 'sa.key']) await chmod(join(dir, key), 0o600);
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    tokenAuthFile,
    adminToken,
  };
}
