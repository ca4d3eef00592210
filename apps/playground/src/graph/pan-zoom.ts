/** Pan (drag) and zoom (wheel, buttons) over the drawn graph, with @panzoom/panzoom; "fit" shows it whole again. */
import Panzoom, { type PanzoomObject } from '@panzoom/panzoom';

export interface PanZoom { zoomIn(): void; zoomOut(): void; fit(): void; destroy(): void }

/** `target` fills `frame` at scale 1 (the SVG scales to fit); dragging anywhere in the frame pans it. */
export function panZoom(frame: HTMLElement, target: SVGSVGElement): PanZoom {
  const pz: PanzoomObject = Panzoom(target as unknown as HTMLElement, { canvas: true, maxScale: 12, minScale: 0.3, step: 0.25, cursor: 'grab' });
  const wheel = (e: WheelEvent) => pz.zoomWithWheel(e);
  frame.addEventListener('wheel', wheel, { passive: false });
  return {
    zoomIn: () => pz.zoomIn(),
    zoomOut: () => pz.zoomOut(),
    fit: () => pz.reset(),
    destroy: () => { frame.removeEventListener('wheel', wheel); pz.destroy(); },
  };
}
