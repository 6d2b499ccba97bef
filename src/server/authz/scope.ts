// Authorization by namespace: who may see which namespaces, and whether nodes.
//
// A policy (the --authz-file, see policy.ts) maps groups to namespace patterns and a nodes flag.
// An identity's scope is the union over every group it is in (a token also matches by its own
// name); when it is in none, the policy's default. A static token's own `namespaces=` list then
// narrows the namespaces further. Without a policy everyone sees every namespace and the nodes
// (only a token's `namespaces=` narrows). `{ all: true }` is the unfiltered fast path.
//
// Patterns are plain names, `*` (every namespace) or globs where `*` stands for any run of
// characters (`shop-*`). No other character is special: namespace names come from the cluster
// and are compared as data, never compiled into a regular expression.
import type { Identity } from '../auth/identity.js';

export interface AccessRule {
  /** Namespace names or globs (`*` matches any run of characters). */
  namespaces: readonly string[];
  /** Whether Nodes (and node metrics, node events) are visible. */
  nodes: boolean;
}

export interface AuthzPolicy {
  /** By group name (OIDC/proxy groups) or token name. */
  groups: ReadonlyMap<string, AccessRule>;
  /** For identities in no listed group. */
  default: AccessRule;
}

export interface Matcher {
  (namespace: string): boolean;
}

export type Scope =
  | { all: true }
  | {
      all?: false;
      namespaces: Matcher;
      nodes: boolean;
      /** Equal for equal scopes: clients with the same signature share filtered frames. */
      signature: string;
    };

/** A scope that does not see everything. */
export type LimitedScope = Exclude<Scope, { all: true }>;

const ALL: Scope = Object.freeze({ all: true });

/** Nothing at all: for a request without an identity (fail closed). */
export const NOTHING: LimitedScope = Object.freeze({ namespaces: () => false, nodes: false, signature: '[[],[],false]' });

export function scopeFor(identity: Identity | null | undefined, policy: AuthzPolicy | undefined): Scope {
  if (identity === null || identity === undefined) return NOTHING;
  let patterns: string[];
  let nodes: boolean;
  if (policy === undefined) {
    patterns = ['*'];
    nodes = true;
  } else {
    // Token names are chosen by whoever runs kubeglance, so they may name a rule; a user name
    // from a proxy or an OIDC provider never does ('session' is a token login, see auth/hook.ts).
    const keys = identity.via === 'token' || identity.via === 'session' ? [identity.name, ...identity.groups] : identity.groups;
    const rules = [...new Set(keys)].flatMap((key) => {
      const rule = policy.groups.get(key);
      return rule === undefined ? [] : [rule];
    });
    const applied = rules.length > 0 ? rules : [policy.default];
    patterns = applied.flatMap((rule) => rule.namespaces);
    nodes = applied.some((rule) => rule.nodes);
  }
  const bound = identity.namespaces;
  const everyNamespace = patterns.includes('*');
  if (everyNamespace && nodes && bound === undefined) return ALL;

  const policyMatcher = compileMatcher(patterns);
  if (bound !== undefined) {
    // A token bound to namespaces: only those of them the policy allows, by exact name.
    const names = [...new Set(bound)].filter((ns) => policyMatcher(ns)).sort();
    const allowed = new Set(names);
    return { namespaces: (ns) => allowed.has(ns), nodes, signature: JSON.stringify([names, [], nodes]) };
  }
  const canonical = everyNamespace ? ['*'] : [...new Set(patterns)].sort();
  const exact = canonical.filter((p) => !p.includes('*'));
  const globs = canonical.filter((p) => p.includes('*'));
  return { namespaces: policyMatcher, nodes, signature: JSON.stringify([exact, globs, nodes]) };
}

/** A matcher for names and `*` globs. */
export function compileMatcher(patterns: readonly string[]): Matcher {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = [...new Set(patterns.filter((p) => p.includes('*')))].map((p) => p.split('*'));
  if (globs.length === 0) return (ns) => exact.has(ns);
  return (ns) => exact.has(ns) || globs.some((parts) => globMatches(parts, ns));
}

/** Whether `text` matches the glob split at its `*`s: parts[0] prefix, last part suffix, the rest in order. */
function globMatches(parts: readonly string[], text: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}
