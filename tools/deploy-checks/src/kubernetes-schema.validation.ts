import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { K8sObject } from './kustomize.renderer';

export interface SchemaResult {
  id: string;
  errors: string[];
}

/**
 * Each object checked against its kind's schema in kubernetes-models (types, required fields, enums,
 * formats), by the plain-node validator in the source tree (see kubernetes-schema.validator.mjs).
 */
export function validateAgainstSchemas(objects: K8sObject[], repoRoot: string): SchemaResult[] {
  const script = join(repoRoot, 'tools', 'deploy-checks', 'src', 'kubernetes-schema.validator.mjs');
  const out = execFileSync(process.execPath, [script], { input: JSON.stringify(objects), cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.toString()) as SchemaResult[];
}
