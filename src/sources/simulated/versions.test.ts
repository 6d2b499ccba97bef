import { describe, expect, it } from 'vitest';
import { nextVersion, previousVersion } from './versions.js';

describe('versions', () => {
  it('steps patch releases back and forward', () => {
    expect(previousVersion('4.12.3', 1)).toBe('4.12.2');
    expect(previousVersion('4.12.0', 1)).toBe('4.11.9');
    expect(nextVersion('4.12.9')).toBe('4.12.10');
    expect(nextVersion('6.1.0-rc.1')).toBe('6.1.1');
  });
});
