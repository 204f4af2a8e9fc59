import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PDFDocumentLoadingTask, PDFDocumentProxy, PDFPageProxy, PDFWorker, RenderTask } from 'pdfjs-dist';

type PdfJs = typeof import('pdfjs-dist');

let pdfjsModule: Promise<PdfJs> | undefined;
let workerSrcOverride: string | undefined;

/**
 * Where pdf.js's worker is served from. The built bundle ships it as an asset next to the
 * elements; hosts with a strict CSP (or unbundled dev servers) can point at their own copy.
 * Must be called before the first document opens.
 */
export function setPdfWorkerSrc(src: string): void {
  workerSrcOverride = src;
}

/**
 * Loads pdf.js on first use (nothing of it is in the element's entry) and boots a worker
 * while pdf.js's main module is still downloading and evaluating.
 */
export function loadPdfjs(): Promise<PdfJs> {
  pdfjsModule ??= (async () => {
    const main = import('pdfjs-dist');
    main.catch(() => undefined);
    const src = await workerSrc();
    prewarmed ??= startWorker(src);
    const pdfjs = await main;
    if (!pdfjs.GlobalWorkerOptions.workerSrc) pdfjs.GlobalWorkerOptions.workerSrc = src;
    return pdfjs;
  })();
  pdfjsModule.catch(() => (pdfjsModule = undefined));
  return pdfjsModule;
}

let prewarmed: Worker | undefined;

async function workerSrc(): Promise<string> {
  return workerSrcOverride ?? (await import('./pdf-worker-url.ts')).default;
}

/**
 * A worker thread for one document: the one booted early if still free, else a new one.
 * Each document owns its worker, so closing one never disturbs another (pdf.js shares a
 * PDFWorker between documents given the same port and tears it down with the first).
 */
function takeWorker(src: string): Worker | undefined {
  const worker = prewarmed ?? startWorker(src);
  prewarmed = undefined;
  return worker;
}

/** A module worker for a same-origin URL; cross-origin ones are left to pdf.js's own wrapper. */
function startWorker(src: string): Worker | undefined {
  try {
    const url = new URL(src, location.href);
    if (url.origin !== location.origin) return undefined;
    return new Worker(url, { type: 'module' });
  } catch {
    return undefined;
  }
}

/** Size of a page at scale 1 (CSS px at 96 dpi), after its /Rotate and view box. */
export interface PageSize {
  width: number;
  height: number;
}

export interface PdfSource {
  url: string;
  headers?: Record<string, string>;
}

export interface PdfPagesEvents {
  /** The first page of a document was painted. */
  firstPaint(page: number): void;
  /** The document could not be opened. */
  error(error: unknown): void;
}

interface PageSlot {
  index: number;
  box: HTMLElement;
  near: boolean;
  renderedWidth: number;
  canvas?: HTMLCanvasElement;
  task?: RenderTask;
}

/** Largest canvas we draw, in device pixels: keeps memory bounded at high zoom on HiDPI. */
const MAX_CANVAS_PIXELS = 4096 * 4096;

/**
 * Renders a PDF's pages lazily into page boxes the host renders: pages near the scroll
 * viewport are drawn (visible first), pages far from it give their canvases back, and pages
 * redraw crisply when their box's width or the device pixel ratio changes.
 *
 * The host renders one box per page (`observe(box, index)`), sized from `sizes` so scrolling
 * stays stable before a page is drawn.
 */
export class PdfPagesController implements ReactiveController {
  /** Page sizes at scale 1; pages not yet measured take the first page's size. */
  sizes: PageSize[] = [];
  status: 'idle' | 'loading' | 'ready' | 'error' = 'idle';
  error?: unknown;

  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #events: PdfPagesEvents;
  #root: Element | null = null;
  #loading?: PDFDocumentLoadingTask;
  #worker?: { pdf: PDFWorker; thread: Worker };
  #doc?: PDFDocumentProxy;
  #measured = new Set<number>();
  #slots = new Map<number, PageSlot>();
  #nearObserver?: IntersectionObserver;
  #farObserver?: IntersectionObserver;
  #resizeObserver?: ResizeObserver;
  #queue = new Set<number>();
  #drawing = false;
  #painted = false;
  #generation = 0;
  #resizeTimer?: ReturnType<typeof setTimeout>;

  constructor(host: ReactiveControllerHost & HTMLElement, events: PdfPagesEvents) {
    this.#host = host;
    this.#events = events;
    host.addController(this);
  }

  hostConnected(): void {
    this.#watchPixelRatio();
  }

  hostDisconnected(): void {
    this.#pixelRatioQuery?.removeEventListener('change', this.#onPixelRatio);
    this.#pixelRatioQuery = undefined;
    this.close();
  }

  #pixelRatioQuery?: MediaQueryList;
  readonly #onPixelRatio = () => {
    this.#watchPixelRatio();
    this.invalidate();
  };

  /** Redraws crisply when the window moves to a screen with another pixel ratio (or zooms). */
  #watchPixelRatio(): void {
    this.#pixelRatioQuery?.removeEventListener('change', this.#onPixelRatio);
    this.#pixelRatioQuery = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    this.#pixelRatioQuery.addEventListener('change', this.#onPixelRatio);
  }

  /** The scroll container whose viewport decides which pages are near. */
  setRoot(root: Element | null): void {
    if (root === this.#root) return;
    this.#root = root;
    this.#nearObserver?.disconnect();
    this.#farObserver?.disconnect();
    this.#resizeObserver?.disconnect();
    if (!root) return;
    this.#nearObserver = new IntersectionObserver((entries) => this.#onNear(entries), {
      root,
      rootMargin: '100% 0px',
    });
    this.#farObserver = new IntersectionObserver((entries) => this.#onFar(entries), {
      root,
      rootMargin: '400% 0px',
    });
    let lastWidth = 0;
    this.#resizeObserver = new ResizeObserver(([entry]) => {
      const width = Math.round(entry?.contentRect.width ?? 0);
      if (width === lastWidth) return;
      lastWidth = width;
      clearTimeout(this.#resizeTimer);
      this.#resizeTimer = setTimeout(() => this.invalidate(), 120);
    });
    this.#resizeObserver.observe(root);
    for (const slot of this.#slots.values()) {
      this.#nearObserver.observe(slot.box);
      this.#farObserver.observe(slot.box);
    }
  }

  async open(source: PdfSource): Promise<void> {
    this.close();
    const generation = ++this.#generation;
    this.status = 'loading';
    this.error = undefined;
    this.#host.requestUpdate();
    try {
      const pdfjs = await loadPdfjs();
      if (generation !== this.#generation) return;
      const thread = takeWorker(await workerSrc());
      const worker = thread ? { pdf: pdfjs.PDFWorker.create({ port: thread }), thread } : undefined;
      this.#worker = worker;
      this.#loading = pdfjs.getDocument({
        ...(worker ? { worker: worker.pdf } : {}),
        url: source.url,
        httpHeaders: source.headers ?? {},
        withCredentials: false,
        disableAutoFetch: true,
        disableStream: true,
        rangeChunkSize: 65536,
        isEvalSupported: false,
      });
      const doc = await this.#loading.promise;
      if (generation !== this.#generation) return void doc.destroy();
      this.#doc = doc;
      const first = await doc.getPage(1);
      const size = pageSize(first);
      this.sizes = Array.from({ length: doc.numPages }, () => ({ ...size }));
      this.#measured = new Set([1]);
      this.status = 'ready';
      this.#host.requestUpdate();
      for (const slot of this.#slots.values()) if (slot.near) this.#enqueue(slot.index);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.status = 'error';
      this.error = error;
      this.#events.error(error);
      this.#host.requestUpdate();
    }
  }

  close(): void {
    this.#generation++;
    clearTimeout(this.#resizeTimer);
    for (const slot of this.#slots.values()) this.#release(slot);
    this.#queue.clear();
    const loading = this.#loading;
    const worker = this.#worker;
    this.#loading = undefined;
    this.#worker = undefined;
    void (async () => {
      await loading?.destroy().catch(() => undefined);
      worker?.pdf.destroy();
      worker?.thread.terminate();
    })();
    this.#doc = undefined;
    this.#painted = false;
    this.status = 'idle';
  }

  /** Registers the box page `index` (1-based) renders into; call again when the box changes. */
  observe(box: HTMLElement, index: number): void {
    const existing = this.#slots.get(index);
    if (existing?.box === box) return;
    if (existing) this.unobserve(index);
    const slot: PageSlot = { index, box, near: false, renderedWidth: 0 };
    this.#slots.set(index, slot);
    this.#nearObserver?.observe(box);
    this.#farObserver?.observe(box);
  }

  unobserve(index: number): void {
    const slot = this.#slots.get(index);
    if (!slot) return;
    this.#nearObserver?.unobserve(slot.box);
    this.#farObserver?.unobserve(slot.box);
    this.#release(slot);
    this.#slots.delete(index);
  }

  /** Redraws near pages at their current width (after a zoom or a resize). */
  invalidate(): void {
    for (const slot of this.#slots.values()) if (slot.near) this.#enqueue(slot.index);
  }

  /** Number of canvases currently held (for tests and memory checks). */
  get renderedCount(): number {
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.canvas) count++;
    return count;
  }

  #slotFor(target: Element): PageSlot | undefined {
    for (const slot of this.#slots.values()) if (slot.box === target) return slot;
    return undefined;
  }

  #onNear(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const slot = this.#slotFor(entry.target);
      if (!slot) continue;
      slot.near = entry.isIntersecting;
      if (slot.near) this.#enqueue(slot.index);
      else this.#queue.delete(slot.index);
    }
  }

  #onFar(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const slot = this.#slotFor(entry.target);
      if (slot && !entry.isIntersecting) this.#release(slot);
    }
  }

  #enqueue(index: number): void {
    if (!this.#doc) return;
    this.#queue.add(index);
    void this.#drain();
  }

  /** Draws queued pages one at a time, those in view first. */
  async #drain(): Promise<void> {
    if (this.#drawing) return;
    this.#drawing = true;
    try {
      while (this.#queue.size && this.#doc) {
        const next = this.#pickNext();
        this.#queue.delete(next);
        const slot = this.#slots.get(next);
        if (slot?.near) await this.#draw(slot);
      }
    } finally {
      this.#drawing = false;
    }
  }

  #pickNext(): number {
    const rootBox = this.#root?.getBoundingClientRect();
    let best = this.#queue.values().next().value as number;
    let bestDistance = Infinity;
    for (const index of this.#queue) {
      const box = this.#slots.get(index)?.box.getBoundingClientRect();
      if (!box || !rootBox) continue;
      const distance =
        box.bottom < rootBox.top ? rootBox.top - box.bottom : box.top > rootBox.bottom ? box.top - rootBox.bottom : 0;
      if (distance < bestDistance) {
        best = index;
        bestDistance = distance;
      }
    }
    return best;
  }

  async #draw(slot: PageSlot): Promise<void> {
    const doc = this.#doc;
    if (!doc) return;
    const generation = this.#generation;
    const cssWidth = slot.box.clientWidth;
    if (!cssWidth) return;
    const dpr = window.devicePixelRatio || 1;
    const targetWidth = Math.round(cssWidth * dpr);
    if (slot.canvas && slot.renderedWidth === targetWidth) return;
    let page: PDFPageProxy;
    try {
      page = await doc.getPage(slot.index);
    } catch {
      return;
    }
    if (generation !== this.#generation) return;
    if (!this.#measured.has(slot.index)) {
      this.#measured.add(slot.index);
      const size = pageSize(page);
      const known = this.sizes[slot.index - 1];
      if (known && (known.width !== size.width || known.height !== size.height)) {
        this.sizes = this.sizes.map((s, i) => (i === slot.index - 1 ? size : s));
        this.#host.requestUpdate();
      }
    }
    const base = page.getViewport({ scale: 1 });
    let scale = targetWidth / base.width;
    const pixels = base.width * base.height * scale * scale;
    if (pixels > MAX_CANVAS_PIXELS) scale *= Math.sqrt(MAX_CANVAS_PIXELS / pixels);
    const viewport = page.getViewport({ scale });
    const canvas = document.createElement('canvas');
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.setAttribute('part', 'canvas');
    canvas.setAttribute('aria-hidden', 'true');
    slot.task?.cancel();
    const task = page.render({ canvas, viewport });
    slot.task = task;
    try {
      await task.promise;
    } catch {
      return; // cancelled or failed: the placeholder stays, a later pass retries
    } finally {
      if (slot.task === task) slot.task = undefined;
    }
    if (generation !== this.#generation || !this.#slots.has(slot.index)) return;
    const previous = slot.canvas;
    slot.box.prepend(canvas);
    previous?.remove();
    if (previous) freeCanvas(previous);
    slot.canvas = canvas;
    slot.renderedWidth = targetWidth;
    slot.box.dataset['rendered'] = '';
    page.cleanup();
    if (!this.#painted) {
      this.#painted = true;
      this.#events.firstPaint(slot.index);
    }
  }

  #release(slot: PageSlot): void {
    slot.task?.cancel();
    slot.task = undefined;
    this.#queue.delete(slot.index);
    if (slot.canvas) {
      slot.canvas.remove();
      freeCanvas(slot.canvas);
      slot.canvas = undefined;
      slot.renderedWidth = 0;
      delete slot.box.dataset['rendered'];
    }
  }
}

function pageSize(page: PDFPageProxy): PageSize {
  const { width, height } = page.getViewport({ scale: 1 });
  return { width, height };
}

/** Gives a canvas's backing store back right away instead of waiting for GC. */
function freeCanvas(canvas: HTMLCanvasElement): void {
  canvas.width = 0;
  canvas.height = 0;
}
