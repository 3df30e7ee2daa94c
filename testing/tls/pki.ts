/**
 * Certificates for TLS tests, made with Debian's `openssl` (never mocked, never checked in): a
 * CA, and leaf certificates it signs for given names (DNS names and IP addresses in the
 * subjectAltName), as server or client certificates, optionally already expired; and a second,
 * untrusted CA. Files are written under a directory the caller owns (a test's temp dir).
 *
 *   const ca = await makeCa(dir, 'test-ca')
 *   const server = await ca.issue('router', { dns: ['localhost'], ip: ['127.0.0.1'] })
 *   // server.cert, server.key (PKCS#8 PEM), ca.cert
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A certificate and its key, as PEM files. */
export interface Issued {
  readonly name: string
  readonly cert: string
  readonly key: string
}

export interface IssueOptions {
  readonly dns?: readonly string[]
  readonly ip?: readonly string[]
  /** URIs in the subjectAltName (a SPIFFE id, say). */
  readonly uri?: readonly string[]
  /** `server` (default), `client`, or both. */
  readonly usage?: 'server' | 'client' | 'both'
  /** Valid from 2 days ago to 1 day ago. */
  readonly expired?: boolean
  /** Key type (default an EC P-256 key; `rsa` for a 2048-bit RSA key). */
  readonly keyType?: 'ec' | 'rsa'
}

export interface Ca extends Issued {
  /** A leaf certificate signed by this CA, written as `<dir>/<name>.crt` and `.key`. */
  issue(name: string, options?: IssueOptions): Promise<Issued>
}

async function openssl(args: readonly string[]): Promise<void> {
  await run('openssl', args as string[], { timeout: 30_000 })
}

async function newKey(path: string, type: 'ec' | 'rsa'): Promise<void> {
  const alg =
    type === 'ec'
      ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
  await openssl(['genpkey', ...alg, '-out', path])
}

/** A self-signed CA named `name` under `dir`. */
export async function makeCa(dir: string, name: string): Promise<Ca> {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  await newKey(key, 'ec')
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-out',
    cert,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  const ca: Ca = { name, cert, key, issue: (leaf, options) => issue(dir, ca, leaf, options) }
  return ca
}

async function issue(dir: string, ca: Issued, name: string, o: IssueOptions = {}): Promise<Issued> {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  const csr = join(dir, `${name}.csr`)
  const ext = join(dir, `${name}.ext`)
  await newKey(key, o.keyType ?? 'ec')
  await openssl(['req', '-new', '-key', key, '-out', csr, '-subj', `/CN=${name}`])
  const san = [
    ...(o.dns ?? []).map((d) => `DNS:${d}`),
    ...(o.ip ?? []).map((i) => `IP:${i}`),
    ...(o.uri ?? []).map((u) => `URI:${u}`),
  ]
  const usage = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' }[
    o.usage ?? 'server'
  ]
  const lines = ['basicConstraints=CA:FALSE', `extendedKeyUsage=${usage}`]
  if (san.length > 0) lines.push(`subjectAltName=${san.join(',')}`)
  await writeFile(ext, `${lines.join('\n')}\n`)
  const validity =
    o.expired === true ? ['-not_before', daysAgo(2), '-not_after', daysAgo(1)] : ['-days', '30']
  const x509 = [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    cert,
    '-extfile',
    ext,
  ]
  if (o.expired === true) await signExpired(csr, ca, cert, ext, dir, name)
  else await openssl([...x509, ...validity])
  return { name, cert, key }
}

/** `openssl x509 -req` has no start date option before 3.4: `openssl ca` signs with given dates. */
async function signExpired(
  csr: string,
  ca: Issued,
  cert: string,
  ext: string,
  dir: string,
  name: string,
): Promise<void> {
  const db = join(dir, `${name}.index`)
  await writeFile(db, '')
  const conf = join(dir, `${name}.ca.cnf`)
  await writeFile(
    conf,
    [
      '[ca]',
      'default_ca=dflt',
      '[dflt]',
      `database=${db}`,
      `new_certs_dir=${dir}`,
      `certificate=${ca.cert}`,
      `private_key=${ca.key}`,
      'default_md=sha256',
      'policy=any',
      `serial=${join(dir, `${name}.serial`)}`,
      'unique_subject=no',
      '[any]',
      'commonName=supplied',
      '',
    ].join('\n'),
  )
  await writeFile(join(dir, `${name}.serial`), '01\n')
  await openssl([
    'ca',
    '-batch',
    '-config',
    conf,
    '-in',
    csr,
    '-out',
    cert,
    '-extfile',
    ext,
    '-startdate',
    asn1(daysAgo(2)),
    '-enddate',
    asn1(daysAgo(1)),
    '-notext',
  ])
}

function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString()
}

/** `YYMMDDHHMMSSZ`, as `openssl ca` wants its dates. */
function asn1(iso: string): string {
  return `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
}
