// Small SVG icons for the legend and summaries, drawn with the same shapes and colours as the
// pod squares on the canvas. Built with createElementNS: no markup strings anywhere.
import type { VisualStatus } from '../../model/occupancy.js';
import { STATUS_STYLES, cssColor } from '../views/occupancy/palette.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(size: number, ...children: SVGElement[]): SVGSVGElement {
  const root = document.createElementNS(SVG, 'svg');
  root.setAttribute('width', String(size));
  root.setAttribute('height', String(size));
  root.setAttribute('viewBox', '0 0 8 8');
  root.setAttribute('aria-hidden', 'true');
  root.classList.add('icon');
  root.append(...children);
  return root;
}

function shape(tag: string, attributes: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** The pod square of a status: its colour and its shape. */
export function shapeIcon(status: VisualStatus, size = 12): SVGSVGElement {
  const fill = cssColor(STATUS_STYLES[status].color);
  switch (status) {
    case 'ready':
      return svg(size, shape('rect', { width: 8, height: 8, fill }));
    case 'notReady':
      return svg(size, shape('rect', { x: 1, y: 1, width: 6, height: 6, fill: 'none', stroke: fill, 'stroke-width': 2 }));
    case 'pending':
      return svg(size, shape('polygon', { points: '8,0 8,8 0,8', fill }));
    case 'failing':
      return svg(size, shape('path', { d: 'M1,1 L7,7 M7,1 L1,7', stroke: fill, 'stroke-width': 2.2 }));
    case 'succeeded':
      return svg(size, shape('circle', { cx: 4, cy: 4, r: 2.4, fill }));
    case 'terminating':
      return svg(size, shape('rect', { x: 0, y: 2.7, width: 8, height: 2.6, fill }));
    case 'unknown':
      return svg(size, shape('rect', { width: 4, height: 4, fill }), shape('rect', { x: 4, y: 4, width: 4, height: 4, fill }));
  }
}

/** The restart mark: a corner triangle on the pod square. */
export function restartIcon(size = 12): SVGSVGElement {
  return svg(size, shape('rect', { width: 8, height: 8, fill: cssColor(STATUS_STYLES.ready.color) }), shape('polygon', { points: '5,0 8,0 8,3', fill: 'currentColor' }));
}

/** Node header marks: striped for not ready and cordoned, a corner for taints and pressure. */
export function nodeMarkIcon(mark: 'notReady' | 'cordoned' | 'pressure' | 'tainted', size = 12): SVGSVGElement {
  const colors = { notReady: '#d55e00', cordoned: '#e69f00', pressure: '#e69f00', tainted: '#cc79a7' } as const;
  const color = colors[mark];
  if (mark === 'notReady' || mark === 'cordoned') {
    return svg(size, shape('rect', { width: 8, height: 8, fill: 'none', stroke: color, 'stroke-width': 1 }), shape('path', { d: 'M0,8 L8,0 M-2,4 L4,-2 M4,10 L10,4', stroke: color, 'stroke-width': 1.5 }));
  }
  if (mark === 'pressure') return svg(size, shape('rect', { x: 5, width: 3, height: 8, fill: color }), shape('rect', { width: 8, height: 8, fill: 'none', stroke: 'currentColor', 'stroke-width': 0.5 }));
  return svg(size, shape('polygon', { points: '0,0 5,0 0,5', fill: color }), shape('rect', { width: 8, height: 8, fill: 'none', stroke: 'currentColor', 'stroke-width': 0.5 }));
}

/** A short line sample of a topology edge style: colour, dash pattern and width as drawn. */
export function edgeIcon(style: { color: readonly number[]; dash: readonly number[]; width: number; alpha: number }): SVGSVGElement {
  const root = shape('svg', { width: 28, height: 10, viewBox: '0 0 28 10', 'aria-hidden': 'true' }) as SVGSVGElement;
  root.classList.add('icon');
  const [r, g, b] = style.color;
  const line = shape('line', { x1: 1, y1: 5, x2: 27, y2: 5, stroke: `rgb(${r},${g},${b})`, 'stroke-width': Math.min(style.width, 4), 'stroke-opacity': style.alpha });
  if (style.dash.length > 0) line.setAttribute('stroke-dasharray', style.dash.join(' '));
  root.append(line);
  return root;
}
