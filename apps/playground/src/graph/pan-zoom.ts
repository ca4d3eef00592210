/**
 * Pan (drag) and zoom (wheel, buttons) over the drawn graph, with @panzoom/panzoom; "fit" shows it whole
 * again, and `follow` brings one node into the middle at a size its text can be read at (the stepper
 * calls it on each step's node, so a wide model's graph need not be zoomed by hand).
 */
import Panzoom, { type PanzoomObject } from '@panzoom/panzoom';

export interface PanZoom { zoomIn(): void; zoomOut(): void; fit(): void; follow(node: Element): void; destroy(): void }

/** On-screen height (px) a followed node is zoomed to when it is drawn smaller: an op's label is then ~11 px. */
const READABLE_NODE_PX = 26;
const MAX_SCALE = 12;

/** `target` fills `frame` at scale 1 (the SVG scales to fit); dragging anywhere in the frame pans it. */
export function panZoom(frame: HTMLElement, target: SVGSVGElement): PanZoom {
  const pz: PanzoomObject = Panzoom(target as unknown as HTMLElement, { canvas: true, maxScale: MAX_SCALE, minScale: 0.3, step: 0.25, cursor: 'grab' });
  const wheel = (e: WheelEvent) => pz.zoomWithWheel(e);
  frame.addEventListener('wheel', wheel, { passive: false });
  const centre = (r: DOMRect) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
  return {
    zoomIn: () => pz.zoomIn(),
    zoomOut: () => pz.zoomOut(),
    fit: () => pz.reset(),
    follow(node) {
      // Everything is measured once, before anything moves (a rect read right after a zoom can be stale). Panzoom draws
      // scale(s) translate(t) about the drawing's centre C, so a point at P on screen at (s0, t0) is at
      // C + s·((P − C)/s0 − t0 + t) at (s, t): solve for the t that puts it at the frame's centre F.
      const s0 = pz.getScale(), t0 = pz.getPan();
      const height = node.getBoundingClientRect().height;
      const s = height > 0 && height < READABLE_NODE_PX ? Math.min(MAX_SCALE, s0 * READABLE_NODE_PX / height) : s0;
      const drawn = centre(target.getBoundingClientRect()), at = centre(node.getBoundingClientRect()), want = centre(frame.getBoundingClientRect());
      const c = { x: drawn.x - s0 * t0.x, y: drawn.y - s0 * t0.y };
      const t = (k: 'x' | 'y') => (want[k] - c[k]) / s - (at[k] - c[k]) / s0 + t0[k];
      if (s !== s0) pz.zoom(s, { animate: false });
      pz.pan(t('x'), t('y'), { animate: false, force: true });
    },
    destroy: () => { frame.removeEventListener('wheel', wheel); pz.destroy(); },
  };
}
