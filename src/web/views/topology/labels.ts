// The topology view's text: a pool of BitmapTexts in screen space, keyed by what they label. A
// label that stays on screen while panning keeps its BitmapText (and its laid-out glyphs); only
// labels that appear take one from the free list and change their text. The pool gives back what a
// zoomed-in moment needed, so a screen left on for a week does not grow.
// BitmapText draws glyphs: a workload named "<img onerror=…>" is shown as those characters.
import { BitmapText, Container } from 'pixi.js';
import { FONT_SIZE, type LabelFont, type LabelSpec } from './label-plan.js';

const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';
/** Free labels kept for reuse beyond what the last frame used. */
const SPARE = 64;

export class TopologyLabels {
  readonly container = new Container();
  /**
   * One child container per font: labels of one font sit together and draw in one batch (each
   * font is its own glyph texture; interleaved, they would break the batch at every label).
   */
  private readonly layers: Record<LabelFont, Container> = { group: new Container(), name: new Container(), small: new Container(), badge: new Container(), rate: new Container() };
  private active = new Map<string, BitmapText>();
  private readonly free: Record<LabelFont, BitmapText[]> = { name: [], small: [], badge: [], group: [], rate: [] };
  private readonly fontOf = new WeakMap<BitmapText, LabelFont>();

  constructor() {
    for (const layer of Object.values(this.layers)) this.container.addChild(layer);
  }

  /** Shows exactly the planned labels. */
  update(plan: readonly LabelSpec[]): void {
    const next = new Map<string, BitmapText>();
    // Labels still wanted keep their BitmapText; the others go back to the free list first, so
    // that new labels can reuse them in the same frame.
    const wanted = new Set<string>();
    for (const spec of plan) wanted.add(spec.key);
    for (const [key, label] of this.active) {
      if (wanted.has(key)) continue;
      label.visible = false;
      this.free[this.fontOf.get(label)!].push(label);
    }
    for (const spec of plan) {
      let label = this.active.get(spec.key);
      if (label !== undefined && this.fontOf.get(label) !== spec.font) {
        label.visible = false;
        this.free[this.fontOf.get(label)!].push(label);
        label = undefined;
      }
      label ??= this.take(spec.font);
      if (label.text !== spec.text) label.text = spec.text;
      label.anchor.set(spec.anchorX, spec.anchorY);
      label.position.set(Math.round(spec.x), Math.round(spec.y));
      label.scale.set(spec.scale);
      label.tint = spec.color;
      label.alpha = spec.alpha;
      label.visible = true;
      next.set(spec.key, label);
    }
    this.active = next;
    for (const font of Object.keys(this.free) as LabelFont[]) {
      const list = this.free[font];
      if (list.length > SPARE) for (const label of list.splice(SPARE)) label.destroy();
    }
  }

  /**
   * Screen rectangles of the labels shown on plates (after update), padded: the view draws a plate
   * of the background colour under each.
   */
  plates(plan: readonly LabelSpec[]): { x: number; y: number; width: number; height: number }[] {
    const plates: { x: number; y: number; width: number; height: number }[] = [];
    for (const spec of plan) {
      if (!spec.plate) continue;
      const label = this.active.get(spec.key);
      if (label === undefined) continue;
      const { width, height } = label;
      plates.push({ x: label.x - spec.anchorX * width - 3, y: label.y - spec.anchorY * height - 1, width: width + 6, height: height + 2 });
    }
    return plates;
  }

  /** How many labels are shown (for the test hook). */
  get shown(): number {
    return this.active.size;
  }

  /** The texts shown, for the test hook. */
  texts(): string[] {
    return [...this.active.values()].map((label) => label.text);
  }

  private take(font: LabelFont): BitmapText {
    const reused = this.free[font].pop();
    if (reused !== undefined) return reused;
    const label = new BitmapText({
      text: '',
      style: { fontFamily: FONT_FAMILY, fontSize: FONT_SIZE[font], fontWeight: font === 'badge' || font === 'group' ? 'bold' : 'normal', fill: 0xffffff },
    });
    this.fontOf.set(label, font);
    this.layers[font].addChild(label);
    return label;
  }
}
