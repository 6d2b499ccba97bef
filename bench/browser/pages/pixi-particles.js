// Baseline (b) of the browser benchmark: the naive PixiJS way to draw one square per pod, a
// ParticleContainer with one Particle each (defaults: positions re-uploaded every frame), filling
// the window in a grid of status colours and moved with every call of window.__step().
// ?count=<pods>. Bundled by bench/browser-bench.ts with esbuild; plain JavaScript because it is
// page code (the benchmark's TypeScript is compiled without DOM types).
import { Application, Particle, ParticleContainer, Texture } from 'pixi.js';

const count = Number(new URLSearchParams(location.search).get('count') ?? 1000);
const app = new Application();
await app.init({ preference: 'webgl', autoStart: false, sharedTicker: false, antialias: false, width: innerWidth, height: innerHeight, background: '#1d2733' });
app.ticker.stop();
document.body.style.margin = '0';
document.body.style.overflow = 'hidden';
document.body.append(app.canvas);

const colors = [0x4cd97b, 0x4cd97b, 0x4cd97b, 0x4cd97b, 0x4cd97b, 0x4c7bd9, 0xe0c04c, 0xd94c4c, 0x8a8f98];
const columns = Math.ceil(Math.sqrt((count * innerWidth) / innerHeight));
const cell = innerWidth / columns;
const scale = Math.max(1, cell * 0.8) / Texture.WHITE.width;
const particles = new ParticleContainer();
for (let i = 0; i < count; i++) {
  particles.addParticle(
    new Particle({ texture: Texture.WHITE, x: (i % columns) * cell, y: Math.floor(i / columns) * cell, scaleX: scale, scaleY: scale, tint: colors[(i * 2654435761) % colors.length] }),
  );
}
app.stage.addChild(particles);

let right = false;
window.__step = () => {
  right = !right;
  particles.x = right ? 100 : 0;
  app.render();
};
window.__step();
window.__ready = true;
