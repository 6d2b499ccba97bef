// Image versions as teams tag them: rollouts go one patch release up, and the revision history
// of a Deployment holds the releases before.

/** The version `back` patch releases before `version` ("4.12.0", 1 → "4.11.9"). */
export function previousVersion(version: string, back: number): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(version);
  if (!m) return `${version}-${back}`;
  const [major, minor, patch, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ''];
  if (patch >= back) return `${major}.${minor}.${patch - back}${rest}`;
  return `${major}.${Math.max(0, minor - 1)}.${10 + patch - back}${rest}`;
}

/** The next patch release. */
export function nextVersion(version: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(version);
  if (!m) return `${version}.1`;
  return `${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}
