import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/** Renders a page to an HTML document; preact escapes every interpolated value. */
export function renderPage<P>(vnode: VNode<P>): string {
  return `<!doctype html>${render(vnode)}`;
}
