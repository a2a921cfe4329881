/**
 * Secrets in the configuration: every one is given by the one zod helper `secret()`, as a string
 * (best `${ENV}`) or as a file reference `{"file": "/run/credentials/wharf.service/es-api-key"}`
 * (systemd's LoadCredential=, Kubernetes secret volumes, Vault agent files). A file is read when
 * the configuration is loaded, and again on every reload, so a rotated secret is picked up by
 * `systemctl reload wharf`; one trailing newline is dropped. A file that cannot be read is a
 * configuration error naming the key and the path, never the content.
 *
 * Secret keys are marked `writeOnly` in the JSON Schema, and their names are listed in
 * SECRET_FIELDS (redaction.ts): the log redaction, `wharf check-config` and configuration errors
 * hide every key of that list (a unit test checks that the list covers every key made with
 * `secret()`).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { z } from 'zod';

export const absolutePath = z.string().refine(isAbsolute, 'expected an absolute file path');

const fileReference = z
  .strictObject({ file: absolutePath.describe('Absolute path of a file holding the secret (e.g. "${CREDENTIALS_DIRECTORY}/es-api-key").') })
  .describe('A file holding the secret.');

/** Reads a secret file: its content without one trailing newline; an issue (without the content) if it cannot. */
function readSecretFile(file: string, ctx: z.RefinementCtx): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `cannot read the secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return '';
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') ctx.addIssue({ code: 'custom', message: `the secret file ${file} is empty` });
  return value;
}

/** A secret key: a non-empty string or `{"file": "/absolute/path"}`; parsed to the secret itself. */
export function secret(description: string) {
  return z
    .union([z.string().min(1), fileReference], { error: 'expected a non-empty string or {"file": "/absolute/path"}' })
    .transform((value, ctx) => (typeof value === 'string' ? value : readSecretFile(value.file, ctx)))
    .meta({ writeOnly: true })
    .describe(`${description} A secret: a string (best \`\${ENV}\`) or \`{"file": "/path"}\`; never logged or printed.`);
}
