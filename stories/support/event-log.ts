import { html } from 'lit';

/** The list an Events story shows its element's events in (put it inside the element listening). */
export const eventLog = html`<ol
  class="log"
  style="font: 12px ui-monospace, monospace; padding-left: 1.25rem"
  aria-label="Events"
></ol>`;

/** Puts `event` (its type and detail) on top of the `ol.log` inside the element that heard it; keeps the newest `keep`. */
export function logEvent(event: Event, keep = Infinity): void {
  const list = (event.currentTarget as HTMLElement).querySelector('ol.log')!;
  const item = document.createElement('li');
  item.textContent = `${event.type} ${JSON.stringify((event as CustomEvent).detail)}`;
  list.prepend(item);
  while (list.children.length > keep) list.lastElementChild!.remove();
}
