// The --authz-file: YAML (or JSON, which is YAML) of
//
//   groups:
//     sre:        { namespaces: ['*'], nodes: true }
//     shop-devs:  { namespaces: [shop, 'shop-*'], nodes: false }
//     lobby-tv:   { namespaces: [web] }          # a token name works as a group
//   default: { namespaces: [], nodes: false }   # everyone in no group above (the default default)
//
// Read once at start; a file that does not parse stops the start. Unknown keys are mistakes and
// are refused, so a typo never widens or silently narrows access.
import { readFile } from 'node:fs/promises';
import { CORE_SCHEMA, load } from 'js-yaml';
import type { AccessRule, AuthzPolicy } from './scope.js';

export class AuthzPolicyError extends Error {
  override name = 'AuthzPolicyError';
}

const MAX_FILE_BYTES = 1024 * 1024;
/** A namespace name (DNS label) with `*` allowed anywhere. */
const PATTERN = /^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$/;
const NOTHING: AccessRule = Object.freeze({ namespaces: Object.freeze([]) as readonly string[], nodes: false });

export async function loadAuthzPolicy(path: string): Promise<AuthzPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AuthzPolicyError(`cannot read the authorization file ${path}: ${(error as Error).message}`);
  }
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new AuthzPolicyError(`${path}: larger than 1 MiB`);
  try {
    return parseAuthzPolicy(text);
  } catch (error) {
    throw new AuthzPolicyError(`${path}: ${(error as Error).message}`);
  }
}

export function parseAuthzPolicy(text: string): AuthzPolicy {
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA });
  } catch (error) {
    throw new AuthzPolicyError(`not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isObject(data)) throw new AuthzPolicyError('expected a mapping with "groups" and optionally "default"');
  checkKeys(data, ['groups', 'default'], 'the top level');
  const groups = new Map<string, AccessRule>();
  if (data['groups'] !== undefined && data['groups'] !== null) {
    if (!isObject(data['groups'])) throw new AuthzPolicyError('"groups" must be a mapping of group name to { namespaces, nodes }');
    for (const [name, rule] of Object.entries(data['groups'])) {
      if (name.trim() === '' || name.length > 256) throw new AuthzPolicyError(`group name "${name}" is empty or too long`);
      groups.set(name, accessRule(rule, `group "${name}"`));
    }
  }
  const fallback = data['default'] === undefined || data['default'] === null ? NOTHING : accessRule(data['default'], '"default"');
  return { groups, default: fallback };
}

function accessRule(value: unknown, where: string): AccessRule {
  if (!isObject(value)) throw new AuthzPolicyError(`${where} must be a mapping { namespaces: [...], nodes: true|false }`);
  checkKeys(value, ['namespaces', 'nodes'], where);
  const namespaces = value['namespaces'] ?? [];
  if (!Array.isArray(namespaces)) throw new AuthzPolicyError(`${where}: "namespaces" must be a list`);
  for (const ns of namespaces) {
    if (typeof ns !== 'string' || !PATTERN.test(ns)) {
      throw new AuthzPolicyError(`${where}: ${JSON.stringify(ns)} is not a namespace name or pattern (lower-case letters, digits, "-", and "*" for any run)`);
    }
  }
  const nodes = value['nodes'] ?? false;
  if (typeof nodes !== 'boolean') throw new AuthzPolicyError(`${where}: "nodes" must be true or false`);
  return { namespaces: [...(namespaces as string[])], nodes };
}

function checkKeys(value: Record<string, unknown>, allowed: string[], where: string): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw new AuthzPolicyError(`${where}: unknown key "${unknown}" (allowed: ${allowed.join(', ')})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
