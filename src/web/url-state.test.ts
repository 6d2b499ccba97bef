import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIEW_STATE,
  GROUP_PRESETS,
  MAX_CAMERA_SCALE,
  MIN_CAMERA_SCALE,
  NODE_SORTS,
  POD_SORTS,
  THEMES,
  TOPOLOGY_KINDS,
  MAX_FOCUS_HOPS,
  VIEWS,
  formatViewState,
  parseViewState,
  type ViewState,
} from './url-state.js';

const state = (changes: Partial<ViewState>): ViewState => ({ ...DEFAULT_VIEW_STATE, clusters: [], namespaces: [], kinds: [], expanded: [], ...changes });

describe('formatViewState', () => {
  it('is empty for the default state', () => {
    expect(formatViewState(DEFAULT_VIEW_STATE)).toBe('');
  });

  it('writes only non-default fields, in a fixed order, with readable values', () => {
    const everything = state({
      theme: 'dark',
      tv: true,
      selection: { cluster: 'prod', kind: 'Pod', uid: 'a1-b2' },
      camera: { x: -10.6, y: 20.4, scale: 0.123456 },
      sortPods: 'cpu',
      sortNodes: 'memoryUsed',
      groupBy: 'topology.kubernetes.io/zone',
      clusters: ['prod', 'staging'],
      hideNonMatching: true,
      query: 'ns:prod app=web',
      view: 'topology',
    });
    expect(formatViewState(everything)).toBe(
      '?view=topology&q=ns:prod+app=web&hide=1&clusters=prod,staging&group=topology.kubernetes.io/zone' +
        '&nsort=memoryUsed&psort=cpu&cam=-11,20,0.1235&sel=prod/Pod/a1-b2&tv=1&theme=dark',
    );
    expect(formatViewState(state({ sortPods: 'name' }))).toBe('?psort=name');
  });

  it('writes the topology fields after the shared ones', () => {
    const topology = state({
      view: 'topology',
      selection: { cluster: 'prod', kind: 'Vertex', uid: 'Deployment/shop/cart' },
      namespaces: ['shop', 'monitoring'],
      kinds: ['Deployment', 'Service'],
      focus: 'Deployment/shop/cart',
      hops: 2,
      expanded: ['kube-system'],
    });
    expect(formatViewState(topology)).toBe(
      '?view=topology&sel=prod/Vertex/Deployment%2Fshop%2Fcart&ns=shop,monitoring&kinds=Deployment,Service&focus=Deployment/shop/cart&hops=2&expand=kube-system',
    );
  });

  it('rounds the camera and keeps -0 out of the URL', () => {
    expect(formatViewState(state({ camera: { x: -0.4, y: 1e6 + 0.5, scale: 2 } }))).toBe('?cam=0,1000001,2');
    expect(formatViewState(state({ camera: { x: 0, y: 0, scale: 0.000123456 } }))).toBe('?cam=0,0,0.0001235');
    expect(formatViewState(state({ camera: { x: 0, y: 0, scale: 1e9 } }))).toBe(`?cam=0,0,${MAX_CAMERA_SCALE}`);
    expect(formatViewState(state({ camera: { x: Number.NaN, y: 0, scale: 1 } }))).toBe('');
  });

  it('encodes separators inside values so they cannot break the URL', () => {
    const search = formatViewState(state({ query: 'a&b=c#d+e%f', clusters: ['x,y', 'p/q&r'], selection: { cluster: 'c/1', kind: 'Node', uid: 'u,2' } }));
    expect(search).toBe('?q=a%26b=c%23d%2Be%25f&clusters=x%2Cy,p%2Fq%26r&sel=c%2F1/Node/u%2C2');
  });
});

describe('parseViewState', () => {
  it('returns the defaults for an empty or garbage search', () => {
    for (const search of ['', '?', '&&&', '?=&=x', 'nonsense', '?q', '?clusters=,,&sel=//']) {
      expect(parseViewState(search)).toEqual(DEFAULT_VIEW_STATE);
    }
  });

  it('reads what formatViewState writes, and form-style encodings too', () => {
    expect(parseViewState('?q=ns%3Aprod%20app%3Dweb').query).toBe('ns:prod app=web');
    expect(parseViewState('q=a+b').query).toBe('a b');
    expect(parseViewState('?hide=true&tv=1')).toMatchObject({ hideNonMatching: true, tv: true });
    expect(parseViewState('?clusters=a%2Cb,c').clusters).toEqual(['a,b', 'c']);
    expect(parseViewState('?sel=c%2F1/Node/u').selection).toEqual({ cluster: 'c/1', kind: 'Node', uid: 'u' });
  });

  it('falls back per field, keeping the fields that are valid', () => {
    const parsed = parseViewState('?view=map&q=%E0%A4%A&nsort=cpuRequested&psort=size&theme=dark&group=a%20b&tv=yes&cam=1,2&sel=c/Service/u');
    expect(parsed).toEqual({ ...DEFAULT_VIEW_STATE, sortNodes: 'cpuRequested', theme: 'dark' });
  });

  it.each([
    ['1,2,3', { x: 1, y: 2, scale: 3 }],
    ['-5,6.5,1e-3', { x: -5, y: 6.5, scale: 0.001 }],
    ['1,2,0', null], // below the minimum scale
    ['1,2,101', null],
    ['1,2,Infinity', null],
    ['1e999,2,1', null],
    ['1,,1', null],
    ['0x10,2,1', null],
    ['1,2,3,4', null],
  ])('cam=%s → %j', (cam, expected) => {
    expect(parseViewState(`?cam=${cam}`).camera).toEqual(expected);
  });

  it('drops unknown kinds and out-of-range hops, keeping the rest', () => {
    const parsed = parseViewState('?view=topology&kinds=Deployment,Secret,,Service&hops=99&focus=&ns=shop,,prod');
    expect(parsed.kinds).toEqual(['Deployment', 'Service']);
    expect(parsed.hops).toBe(1);
    expect(parsed.focus).toBeNull();
    expect(parsed.namespaces).toEqual(['shop', 'prod']);
  });

  it('lets the first occurrence of a repeated key win', () => {
    expect(parseViewState('?theme=dark&theme=light').theme).toBe('dark');
  });

  it('returns a fresh clusters array that callers may change', () => {
    const parsed = parseViewState('');
    parsed.clusters.push('x');
    expect(parseViewState('').clusters).toEqual([]);
  });
});

describe('round trip', () => {
  const hostile = ['a,b', 'c/d', 'e&f=g', '#h', '<script>alert(1)</script>', 'ünïcødé ☸ 💥', '%41', 'a+b', ' spaced ', '?x=1'];
  const states: ViewState[] = [
    DEFAULT_VIEW_STATE,
    state({ view: 'topology', query: 'ns:prod-* -status:ready app!=web "my pod"', hideNonMatching: true }),
    state({ clusters: ['prod-eu', 'prod-us'], groupBy: 'kubeglance.io/pool', sortNodes: 'age', sortPods: 'memory' }),
    state({ camera: { x: 123.7, y: -9999.2, scale: 0.3333333 }, selection: { cluster: 'prod', kind: 'Node', uid: 'worker-1' } }),
    state({ tv: true, theme: 'light' }),
    state({ view: 'topology', namespaces: ['a,b', 'shop'], kinds: ['Ingress'], focus: 'Service/shop/a,b', hops: 3, expanded: ['x/y'] }),
    state({ selection: { cluster: 'c', kind: 'Vertex', uid: 'Outside' }, focus: '<script>' }),
    ...hostile.map((text) => state({ query: text, clusters: [text, `${text}2`], selection: { cluster: text, kind: 'Pod', uid: text } })),
    state({ query: 'lone \ud800 surrogate' }),
  ];

  it.each(states.map((s) => [formatViewState(s), s] as const))('%s', (search, original) => {
    const parsed = parseViewState(search);
    expect(formatViewState(parsed)).toBe(search);
    // Apart from camera rounding and lone surrogates, the values themselves come back unchanged.
    if (!original.camera && !original.query.includes('\ud800')) expect(parsed).toEqual(original);
  });
});

describe('parseViewState on random input', () => {
  const alphabet = ['?', '&', '=', ',', '/', '%', '+', '#', '.', '-', 'e', '1', '0', '9', ' ', 'ü', '\ud800', 'q', 'cam', 'sel', 'clusters', 'view', 'theme', 'dark', 'Pod', '%E0', '%2C', '%', 'ns', 'kinds', 'hops', 'focus', 'expand', 'Vertex', 'Service'];

  it('never throws and always returns a valid ViewState', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 500; i++) {
      const search = Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)]).join('');
      const parsed = parseViewState(search);
      expect(VIEWS).toContain(parsed.view);
      expect(NODE_SORTS).toContain(parsed.sortNodes);
      expect(POD_SORTS).toContain(parsed.sortPods);
      expect(THEMES).toContain(parsed.theme);
      expect(typeof parsed.query).toBe('string');
      expect(parsed.clusters.every((id) => typeof id === 'string' && id !== '')).toBe(true);
      for (const flag of [parsed.hideNonMatching, parsed.tv]) expect(typeof flag).toBe('boolean');
      if (parsed.camera) {
        expect([parsed.camera.x, parsed.camera.y].every(Number.isFinite)).toBe(true);
        expect(parsed.camera.scale).toBeGreaterThanOrEqual(MIN_CAMERA_SCALE);
        expect(parsed.camera.scale).toBeLessThanOrEqual(MAX_CAMERA_SCALE);
      }
      if (parsed.selection) expect(['Pod', 'Node', 'Vertex']).toContain(parsed.selection.kind);
      expect(parsed.hops).toBeGreaterThanOrEqual(1);
      expect(parsed.hops).toBeLessThanOrEqual(MAX_FOCUS_HOPS);
      expect(parsed.kinds.every((k) => (TOPOLOGY_KINDS as readonly string[]).includes(k))).toBe(true);
      // Whatever was parsed formats to a URL that reproduces it.
      const formatted = formatViewState(parsed);
      expect(formatViewState(parseViewState(formatted))).toBe(formatted);
    }
  });
});

describe('GROUP_PRESETS', () => {
  it('are group keys a URL can carry', () => {
    for (const { key } of GROUP_PRESETS) expect(parseViewState(formatViewState(state({ groupBy: key }))).groupBy).toBe(key);
  });
});
