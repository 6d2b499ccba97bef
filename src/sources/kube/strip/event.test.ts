import { describe, expect, it } from 'vitest';
import { MAX_EVENT_MESSAGE, stripEvent } from './event.js';
import { fixture } from '../testing/fixtures.js';

describe('stripEvent', () => {
  it('keeps what happened to which object, how often and when last', () => {
    expect(stripEvent(fixture('event.json'))).toEqual({
      kind: 'Event',
      uid: '2b3c4d5e-6f70-4182-83a4-b5c6d7e8f9a0',
      name: 'web-7d4b9c8f6d-x2x9q.1879a2b3c4d5e6f7',
      namespace: 'shop',
      createdAt: Date.parse('2025-11-20T10:14:00Z'),
      involved: { kind: 'Pod', name: 'web-7d4b9c8f6d-x2x9q', namespace: 'shop', uid: '9b1e8f4a-3c2d-4e5f-8a7b-1c2d3e4f5a6b' },
      type: 'Warning',
      reason: 'BackOff',
      message:
        'Back-off restarting failed container web in pod web-7d4b9c8f6d-x2x9q_shop(9b1e8f4a-3c2d-4e5f-8a7b-1c2d3e4f5a6b)',
      count: 7,
      lastSeenAt: Date.parse('2025-11-20T10:19:30Z'),
    });
  });

  it('truncates long messages and keeps hostile text verbatim', () => {
    const raw = fixture('event.json');
    raw.message = `<script>alert("x")</script>${'a'.repeat(10_000)}`;
    const record = stripEvent(raw);
    expect(record?.message).toHaveLength(MAX_EVENT_MESSAGE);
    expect(record?.message.startsWith('<script>alert("x")</script>')).toBe(true);
  });

  it('reads events.k8s.io-style series and event time', () => {
    const raw = fixture('event.json');
    delete raw.count;
    delete raw.lastTimestamp;
    raw.series = { count: 12, lastObservedTime: '2025-11-20T10:30:00.123456Z' };
    expect(stripEvent(raw)).toMatchObject({ count: 12, lastSeenAt: Date.parse('2025-11-20T10:30:00.123Z') });
  });

  it('needs an involved object', () => {
    const raw = fixture('event.json');
    delete raw.involvedObject;
    expect(stripEvent(raw)).toBeUndefined();
  });
});
