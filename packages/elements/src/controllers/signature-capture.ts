import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type SignaturePad from 'signature_pad';

/**
 * Drawn-signature capture on a canvas with signature_pad (mouse, pen and touch through
 * pointer events), loaded when first needed. Keeps the canvas sharp on HiDPI screens and keeps
 * the strokes when the canvas is resized.
 */
export class SignatureCaptureController implements ReactiveController {
  /** True while nothing is drawn. */
  empty = true;
  /** Number of strokes drawn (undo removes the last one). */
  strokes = 0;

  readonly #host: ReactiveControllerHost;
  #pad?: SignaturePad;
  #canvas?: HTMLCanvasElement;
  #resizeObserver?: ResizeObserver;
  #attaching?: Promise<void>;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.detach();
  }

  /** Starts capturing on `canvas` (no-op when already attached to it). */
  attach(canvas: HTMLCanvasElement, options: { penColor?: string } = {}): Promise<void> {
    if (this.#canvas === canvas && this.#attaching) return this.#attaching;
    this.detach();
    this.#canvas = canvas;
    this.#attaching = (async () => {
      const { default: Pad } = await import('signature_pad');
      if (this.#canvas !== canvas) return;
      const pad = new Pad(canvas, {
        penColor: options.penColor ?? '#1b2a6b',
        minWidth: 0.8,
        maxWidth: 2.6,
        throttle: 8,
      });
      this.#pad = pad;
      pad.addEventListener('endStroke', () => this.#changed());
      this.#resizeObserver = new ResizeObserver(() => this.resize());
      this.#resizeObserver.observe(canvas);
      this.resize();
    })();
    return this.#attaching;
  }

  detach(): void {
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = undefined;
    this.#pad?.off();
    this.#pad = undefined;
    this.#canvas = undefined;
    this.#attaching = undefined;
    this.empty = true;
    this.strokes = 0;
  }

  /** Matches the canvas's backing store to its CSS size × devicePixelRatio, keeping strokes. */
  resize(): void {
    const pad = this.#pad;
    const canvas = this.#canvas;
    if (!pad || !canvas) return;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const width = Math.round(canvas.offsetWidth * ratio);
    const height = Math.round(canvas.offsetHeight * ratio);
    if (!width || !height || (canvas.width === width && canvas.height === height)) return;
    const data = pad.toData();
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d')?.scale(ratio, ratio);
    pad.clear();
    if (data.length) pad.fromData(data);
  }

  clear(): void {
    this.#pad?.clear();
    this.#changed();
  }

  undo(): void {
    const pad = this.#pad;
    if (!pad) return;
    const data = pad.toData();
    data.pop();
    pad.fromData(data);
    this.#changed();
  }

  /** The drawing as a PNG data URL cropped to the ink, or undefined when empty. */
  toPng(): string | undefined {
    const canvas = this.#canvas;
    if (!this.#pad || !canvas || this.#pad.isEmpty()) return undefined;
    return cropToInk(canvas).toDataURL('image/png');
  }

  #changed(): void {
    this.strokes = this.#pad?.toData().length ?? 0;
    this.empty = this.#pad?.isEmpty() ?? true;
    this.#host.requestUpdate();
  }
}

/** A copy of `canvas` cut to the bounding box of its non-transparent pixels, plus a margin. */
function cropToInk(canvas: HTMLCanvasElement): HTMLCanvasElement {
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const { width, height } = canvas;
  const pixels = ctx.getImageData(0, 0, width, height).data;
  let top = height;
  let left = width;
  let right = -1;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[(y * width + x) * 4 + 3]! > 0) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        bottom = y;
      }
    }
  }
  if (right < 0) return canvas;
  const margin = Math.round(Math.max(width, height) * 0.01) + 2;
  left = Math.max(0, left - margin);
  top = Math.max(0, top - margin);
  right = Math.min(width - 1, right + margin);
  bottom = Math.min(height - 1, bottom + margin);
  const out = document.createElement('canvas');
  out.width = right - left + 1;
  out.height = bottom - top + 1;
  out.getContext('2d')?.drawImage(canvas, left, top, out.width, out.height, 0, 0, out.width, out.height);
  return out;
}
