/**
 * TLS options, the same for every client wharf makes (Kafka, Elasticsearch, CouchDB sink and
 * source): which CA to trust, an optional client certificate, and the name to check in the
 * server's certificate. The files are named in the configuration and read by each process when
 * it builds its client (tls-options.ts; a client key never travels in actor settings or appears
 * in `check-config`); that they can be read is checked when the configuration is loaded. Verification
 * is never turned off: an unknown CA or a wrong name is a refusal the operator must fix.
 */
import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { absolutePath } from './secret';

const readableFile = absolutePath.superRefine((file, ctx) => {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
  }
});

const tlsFields = {
  caFile: readableFile
    .optional()
    .describe('PEM file of the CA certificate(s) that signed the server\'s certificate, e.g. a private CA; without it, Node.js\'s bundled public CAs.'),
  certFile: readableFile.optional().describe('PEM file of a client certificate, for servers that authenticate clients by certificate (mutual TLS); needs keyFile.'),
  keyFile: readableFile.optional().describe('PEM file of the client certificate\'s private key (unencrypted); needs certFile.'),
  serverName: z
    .string()
    .min(1)
    .optional()
    .describe('The name the server\'s certificate must carry (and the TLS SNI), when it differs from the host wharf connects to.'),
};

function checkPair(tls: { certFile?: string; keyFile?: string }, ctx: z.RefinementCtx): void {
  if (tls.certFile && !tls.keyFile) ctx.addIssue({ code: 'custom', path: ['keyFile'], message: 'missing: certFile is set, so keyFile is required' });
  if (tls.keyFile && !tls.certFile) ctx.addIssue({ code: 'custom', path: ['certFile'], message: 'missing: keyFile is set, so certFile is required' });
}

/** The `tls` key of a client: `{}` means TLS with the public CAs. */
export const tlsSchema = z.strictObject(tlsFields).superRefine(checkPair);

/** Elasticsearch's variant: the CA may also be pinned by its SHA-256 fingerprint, as Elasticsearch prints it at first start. */
export const tlsWithFingerprintSchema = z
  .strictObject({
    ...tlsFields,
    caFingerprint: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'expected a SHA-256 fingerprint: 64 hex digits, optionally in pairs separated by ":"')
      .optional()
      .describe(
        'SHA-256 fingerprint of the CA at the top of the chain the server sends, instead of caFile: the connection is accepted only if that CA has this fingerprint (the server\'s name is then not checked).',
      ),
  })
  .superRefine((tls, ctx) => {
    checkPair(tls, ctx);
    if (tls.caFile && tls.caFingerprint) ctx.addIssue({ code: 'custom', path: ['caFingerprint'], message: 'give either caFile or caFingerprint, not both' });
  });

export type TlsConfig = z.output<typeof tlsSchema>;

/** A `tls` key on a URL that is not https:// would be silently ignored: refuse it. */
export function checkTlsMatchesUrl(value: { tls?: unknown }, urlKey: string, url: string, ctx: z.RefinementCtx): void {
  if (value.tls !== undefined && !url.startsWith('https:')) {
    ctx.addIssue({ code: 'custom', path: ['tls'], message: `only applies to an https:// ${urlKey}, and ${urlKey} is ${url.split(':')[0]}://` });
  }
}
