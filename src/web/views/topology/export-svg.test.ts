import { describe, expect, it } from 'vitest';
import { DARK, LIGHT } from '../occupancy/palette.js';
import { escapeXml, topologySvg } from './export-svg.js';
import { HOSTILE_NAME, gridLayout, sampleGraph } from './testing/drawing-fixtures.js';
import { edgeStyleOf, topologyPalette } from './topology-palette.js';

const graph = sampleGraph();
const layout = gridLayout(graph);
const svg = topologySvg(graph, layout, topologyPalette(LIGHT));

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A strict little XML reader for what the exporter writes: elements, attributes in double quotes,
 * character data and the five predefined entities plus numeric references. Throws on anything
 * malformed (an unknown entity, a bare `<` or `&`, a mismatched end tag, a duplicate attribute).
 */
function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i}: ${JSON.stringify(source.slice(Math.max(0, i - 40), i + 40))}`);
  };
  const decode = (raw: string): string => {
    if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(raw)) fail(`bad character data ${JSON.stringify(raw)}`);
    return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
      e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'"
      : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
  };
  if (source.startsWith('<?xml')) i = source.indexOf('?>') + 2;
  const element = (): XmlElement => {
    while (/\s/.test(source[i] ?? '')) i++;
    if (source[i] !== '<') fail('expected <');
    i++;
    const name = /^[A-Za-z][\w:-]*/.exec(source.slice(i))?.[0] ?? fail('expected a name');
    i += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(source[i] ?? '')) i++;
      if (source.startsWith('/>', i)) {
        i += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const m = /^([A-Za-z][\w:-]*)="([^"]*)"/.exec(source.slice(i)) ?? fail('bad attribute');
      if (m[1]! in attributes) fail(`duplicate attribute ${m[1]}`);
      attributes[m[1]!] = decode(m[2]!);
      i += m[0].length;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const next = source.indexOf('<', i);
      if (next < 0) fail(`unclosed <${name}>`);
      text += decode(source.slice(i, next));
      i = next;
      if (source.startsWith('</', i)) {
        const end = `</${name}>`;
        if (!source.startsWith(end, i)) fail(`expected ${end}`);
        i += end.length;
        return { name, attributes, children, text };
      }
      children.push(element());
    }
  };
  const root = element();
  if (source.slice(i).trim() !== '') fail('content after the root element');
  return root;
}

function all(root: XmlElement, predicate: (e: XmlElement) => boolean): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (predicate(e)) found.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return found;
}

const classed = (name: string) => (e: XmlElement) => (e.attributes['class'] ?? '').split(' ').includes(name);

describe('topologySvg', () => {
  const root = parseXml(svg);

  it('is a well-formed SVG document', () => {
    expect(root.name).toBe('svg');
    expect(root.attributes['xmlns']).toBe('http://www.w3.org/2000/svg');
    const [x, y, w, h] = root.attributes['viewBox']!.split(' ').map(Number);
    expect(w).toBeGreaterThan(layout.width);
    expect(h).toBeGreaterThan(0);
    expect(x).toBeLessThan(0);
    expect(y).toBeLessThan(0);
  });

  it('has one element per vertex and per edge, carrying its id', () => {
    const vertices = all(root, classed('vertex'));
    const edges = all(root, classed('edge'));
    // (XML cannot carry control characters: they become U+FFFD.)
    const asXml = (id: string) => id.replace('\u0007', '\uFFFD');
    expect(vertices.map((v) => v.attributes['data-id'])).toEqual(graph.vertices.map((v) => asXml(v.id)));
    expect(edges.map((e) => e.attributes['data-id'])).toEqual(graph.edges.map((e) => asXml(e.id)));
    expect(edges.map((e) => e.attributes['data-style'])).toEqual(graph.edges.map((e) => edgeStyleOf(e)));
    expect(all(root, classed('group')).length).toBe(graph.groups.length);
  });

  it('keeps names from the cluster as text, never markup', () => {
    expect(svg).not.toMatch(/<script/i);
    expect(svg).not.toContain('\u0007');
    // The id round-trips (but for the control character, which XML cannot carry).
    const hostile = all(root, classed('vertex')).find((v) => v.attributes['data-id'] === `Deployment/shop/${HOSTILE_NAME.replace('\u0007', '\uFFFD')}`)!;
    expect(hostile).toBeDefined();
    const texts = all(hostile, (e) => e.name === 'text' || e.name === 'title').map((e) => e.text);
    expect(texts.some((t) => t.includes('<script>'))).toBe(true);
    expect(all(root, (e) => e.name === 'script')).toEqual([]);
  });

  it('draws the marks: arrowheads, the "?" of unexplained traffic, the bar of denied edges, default-deny, replica text', () => {
    expect(all(root, classed('arrow')).length).toBe(graph.edges.length);
    expect(all(root, classed('unexplained')).length).toBe(graph.edges.filter((e) => e.evidence === 'observed').length);
    expect(all(root, classed('denied')).length).toBe(graph.edges.filter((e) => e.denied).length);
    expect(all(root, classed('default-deny')).length).toBe(graph.vertices.filter((v) => v.defaultDeny).length);
    const cart = all(root, classed('vertex')).find((v) => v.attributes['data-id'] === 'Deployment/shop/cart')!;
    expect(all(cart, (e) => e.name === 'text').map((t) => t.text)).toContain('1/3');
    // Rate labels as the canvas shows them at 100 %: a long edge has its label, one squeezed
    // between two boxes has none (its rate is in its title).
    const unexplained = all(root, classed('edge-label')).find((e) => e.attributes['data-edge'] === 'Deployment/shop/cart->Namespace/data')!;
    expect(all(unexplained, (e) => e.name === 'text').map((t) => t.text).sort()).toEqual(['3 req/s', '?']);
    const squeezed = all(root, classed('edge')).find((e) => e.attributes['data-id'] === 'Ingress/shop/web->Service/shop/frontend')!;
    expect(all(squeezed, (e) => e.name === 'title')[0]!.text).toContain('120 req/s · 0.5% err · p95 85 ms');
  });

  it('writes the names, second lines and badge letters the canvas shows, inside each vertex', () => {
    const texts = (id: string) => all(all(root, classed('vertex')).find((v) => v.attributes['data-id'] === id)!, (e) => e.name === 'text').map((t) => t.text);
    expect(texts('Service/shop/cart')).toEqual(['cart', 'Service', 'S']);
    expect(texts('Namespace/data')).toEqual(['data', 'namespace · 42 objects', 'NS']);
    const group = all(root, classed('group')).find((g) => g.attributes['data-id'] === 'shop')!;
    expect(all(group, (e) => e.name === 'text').map((t) => t.text)).toEqual(['shop · 8']);
  });

  it('dims what the query dims', () => {
    const stripe = all(root, classed('vertex')).find((v) => v.attributes['data-id'] === 'ExternalService/shop/stripe')!;
    expect(Number(stripe.attributes['opacity'])).toBeLessThan(0.5);
    const frontend = all(root, classed('vertex')).find((v) => v.attributes['data-id'] === 'Deployment/shop/frontend')!;
    expect(frontend.attributes['opacity']).toBeUndefined();
  });

  it('follows the theme', () => {
    const dark = parseXml(topologySvg(graph, layout, topologyPalette(DARK)));
    const background = (r: XmlElement) => all(r, classed('background'))[0]!.attributes['fill'];
    expect(background(dark)).not.toBe(background(root));
  });

  it('writes an empty graph as an empty, valid document', () => {
    const empty = parseXml(topologySvg({ groups: [], vertices: [], edges: [] }, { width: 0, height: 0, groups: {}, vertices: {}, edges: {}, ms: 0 }, topologyPalette(LIGHT)));
    expect(all(empty, classed('vertex'))).toEqual([]);
  });
});

describe('escapeXml', () => {
  it('escapes the markup characters and replaces what XML cannot carry', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('a\u0000b\u001fc\tok\n')).toBe('a\uFFFDb\uFFFDc\tok\n');
    expect(escapeXml('lone \uD800 surrogate, pair \u{1F600}')).toBe('lone \uFFFD surrogate, pair \u{1F600}');
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });
});
