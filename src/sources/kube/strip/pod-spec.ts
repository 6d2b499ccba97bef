// What a pod spec (a pod's own, or a workload's template) refers to: the raw material of declared
// topology edges. Only names are read; the contents of Secrets and ConfigMaps never are.
import type { TemplateRefs } from '../../../model/records.js';
import { expandVars, fieldKey, HostCollector, type HostLimits, isHostFlag, namesHost } from './hosts.js';
import { interner } from './interner.js';
import { type Json, list, obj, objects, shared, str } from './read.js';

/**
 * Hosts of one pod spec. A value may be a shell script (`sh -c "until nc -z db 5432; …"`), so
 * values up to 16 KiB are read; longer ones are blobs. The budget bounds the work on a hostile
 * spec (10,000 env vars, `$(A)` references that grow a value) while covering any real one.
 */
const SPEC_HOST_LIMITS: HostLimits = { maxHosts: 32, maxValueLength: 16 * 1024, budget: 128 * 1024 };
/** Names kept per kind of reference (ConfigMaps, Secrets, claims): more is a hostile spec. */
const MAX_NAMED_REFS = 128;

/** Init containers first, then the main ones: the order the kubelet starts them. */
function specContainers(spec: Json): Json[] {
  return [...objects(spec.initContainers), ...objects(spec.containers)];
}

/** Distinct container images of a pod spec. */
export function specImages(spec: Json): string[] {
  const images = new Set<string>();
  for (const container of specContainers(spec)) {
    const image = shared(container.image);
    if (image !== undefined) images.add(image);
  }
  return [...images];
}

export function specRefs(spec: Json): TemplateRefs | undefined {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const claims = new Set<string>();
  const hosts = new HostCollector(SPEC_HOST_LIMITS);
  const add = (into: Set<string>, name: unknown) => {
    const value = shared(name);
    if (value !== undefined && into.size < MAX_NAMED_REFS) into.add(value);
  };

  for (const volume of objects(spec.volumes)) {
    add(configMaps, obj(volume.configMap)?.name);
    add(secrets, obj(volume.secret)?.secretName);
    add(claims, obj(volume.persistentVolumeClaim)?.claimName);
    for (const source of objects(obj(volume.projected)?.sources)) {
      add(configMaps, obj(source.configMap)?.name);
      add(secrets, obj(source.secret)?.name);
    }
  }
  for (const [group, containers] of [['initContainers', spec.initContainers], ['containers', spec.containers]] as const) {
    for (const container of objects(containers)) {
      for (const from of objects(container.envFrom)) {
        add(configMaps, obj(from.configMapRef)?.name);
        add(secrets, obj(from.secretRef)?.name);
      }
      for (const env of objects(container.env)) {
        const valueFrom = obj(env.valueFrom);
        if (valueFrom) {
          add(configMaps, obj(valueFrom.configMapKeyRef)?.name);
          add(secrets, obj(valueFrom.secretKeyRef)?.name);
        }
      }
      containerHosts(container, () => `${group}[${fieldKey(str(container.name) ?? '')}]`, hosts);
    }
  }

  const refs: TemplateRefs = {};
  const serviceAccount = shared(spec.serviceAccountName) ?? shared(spec.serviceAccount);
  if (serviceAccount !== undefined) refs.serviceAccount = serviceAccount;
  if (configMaps.size > 0) refs.configMaps = [...configMaps];
  if (secrets.size > 0) refs.secrets = [...secrets];
  if (claims.size > 0) refs.persistentVolumeClaims = [...claims];
  if (hosts.hosts.length > 0) {
    refs.envHosts = hosts.hosts;
    refs.hostFields = hosts.fields;
  }
  return Object.keys(refs).length > 0 ? interner.value(refs) : undefined;
}

/**
 * The hosts of one container's env values, command and args, after `$(VAR)` expansion as the
 * kubelet does it: an env value sees the vars defined before it in `env` (envFrom and valueFrom
 * values are unknown here, so references to them stay as written); command and args see them all.
 */
function containerHosts(container: Json, where: () => string, hosts: HostCollector): void {
  if (!hosts.open) return;
  // Value of each var defined so far; null: defined, but not known to us (valueFrom, or not
  // read). Kept only when something refers to a var: most containers do not.
  const vars = refersToVars(container) ? new Map<string, string | null>() : undefined;
  const lookup = (name: string) => vars?.get(name) ?? undefined;
  const expand = (value: string) => (hosts.afford(value.length) ? expandVars(value, lookup, hosts.limits.maxValueLength) : undefined);

  for (const [i, item] of list(container.env).entries()) {
    const env = obj(item);
    if (env === undefined) continue;
    const name = str(env.name);
    const value = str(env.value);
    // As the kubelet: a literal value wins; an empty one without valueFrom defines the var as "".
    if (value === undefined || value === '') {
      if (name !== undefined) vars?.set(name, env.valueFrom === undefined ? '' : null);
      continue;
    }
    const expanded = hosts.open ? expand(value) : undefined;
    if (name !== undefined) vars?.set(name, expanded ?? null);
    if (expanded !== undefined) hosts.scan(expanded, () => `${where()}.env[${name === undefined ? i : fieldKey(name)}]`, name !== undefined && namesHost(name));
  }
  for (const key of ['command', 'args'] as const) {
    const words = list(container[key]);
    for (const [i, word] of words.entries()) {
      if (!hosts.open) return;
      if (typeof word !== 'string' || word === '') continue;
      const expanded = expand(word);
      const previous = words[i - 1];
      if (expanded !== undefined) hosts.scan(expanded, () => `${where()}.${key}[${i}]`, typeof previous === 'string' && isHostFlag(previous));
    }
  }
}

/** Whether any env value, command or arg of a container holds a `$(` reference. */
function refersToVars(container: Json): boolean {
  for (const item of list(container.env)) {
    const value = obj(item)?.value;
    if (typeof value === 'string' && value.includes('$(')) return true;
  }
  for (const key of ['command', 'args'] as const) {
    for (const word of list(container[key])) if (typeof word === 'string' && word.includes('$(')) return true;
  }
  return false;
}

/** An init container with restartPolicy Always is a sidecar (KEP-753): it keeps running beside the main containers. */
export function isSidecar(container: Json): boolean {
  return container.restartPolicy === 'Always';
}
