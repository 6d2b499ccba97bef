import { describe, expect, it } from 'vitest';
import { KubeApiError } from './api-error.js';
import { JsonLines } from './json-lines.js';

describe('JsonLines', () => {
  it('parses values split across chunks at any byte', () => {
    const text = '{"type":"ADDED","object":{"name":"ä"}}\n{"type":"BOOKMARK"}\n\n{"type":"DELETED"}\n';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const lines = new JsonLines();
      const values = [...lines.push(bytes.subarray(0, cut)), ...lines.push(bytes.subarray(cut)), ...lines.end()];
      expect(values).toEqual([{ type: 'ADDED', object: { name: 'ä' } }, { type: 'BOOKMARK' }, { type: 'DELETED' }]);
    }
  });

  it('returns the last value without a final newline at the end', () => {
    const lines = new JsonLines();
    expect(lines.push(Buffer.from('{"a":1}\n{"b":'))).toEqual([{ a: 1 }]);
    expect(lines.push(Buffer.from('2}'))).toEqual([]);
    expect(lines.end()).toEqual([{ b: 2 }]);
  });

  it('refuses malformed JSON and unbounded lines', () => {
    expect(() => new JsonLines().push(Buffer.from('{"a":\n'))).toThrow(KubeApiError);
    const small = new JsonLines(10);
    expect(() => small.push(Buffer.from('{"a":"0123456789"'))).toThrow(/exceeded 10 bytes/);
  });
});
