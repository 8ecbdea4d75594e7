/**
 * BokehJS is loaded when the lab starts, from this Jupyter server.
 *
 * `mh.live` shows its figure through jupyter_bokeh's `BokehModel` widget, whose view needs
 * `window.Bokeh` the moment it is created, and `mh.plots` through jupyter_bokeh's renderer,
 * which waits for it one second at most. The kernel's `output_notebook` loader, sent in the
 * same cell, only starts loading BokehJS when its output is rendered, so on a busy machine
 * the widget's view could be created first and show "Failed to create view for 'BokehView'"
 * instead of the curves. Loading BokehJS here, as the lab starts, removes that race.
 *
 * This loader keeps out of the way of bokeh's own: `output_notebook`'s loader is rendered
 * with `force = true` (bokeh/io/notebook.py `_loading_js`), so it resets bokeh's loader
 * globals and loads its scripts again whatever is on the page; BokehJS keeps the first
 * `window.Bokeh` it finds (bokeh.min.js: "if root.Bokeh is undefined … root.Bokeh = bokeh"),
 * so that second load changes nothing for the figures. Sharing bokeh's loader globals
 * (`_bokeh_is_loading`) with a forced loader could run its callbacks before its scripts,
 * so this loader touches none of them. The URLs come from the server (page config
 * `mlhubBokehJs`, made by bokeh's `Resources`), so they always match the installed bokeh.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

/** The BokehJS script URLs in the page config (a JSON list), or `[]` when absent or malformed. */
export function bokehScriptUrls(option: string = PageConfig.getOption('mlhubBokehJs')): string[] {
  if (!option) {
    return [];
  }
  try {
    const urls: unknown = JSON.parse(option);
    return Array.isArray(urls) ? urls.filter((u): u is string => typeof u === 'string' && u.length > 0) : [];
  } catch {
    return [];
  }
}

/**
 * Load `urls` in order (one `<script async=false>` each: the core before its plugins) unless
 * BokehJS is on the page already. Resolves `true` once every script has loaded, `false` when
 * nothing was started or a script failed (logged; the kernel's loader tries again).
 */
export function preloadBokehJS(
  urls: string[],
  root: { Bokeh?: unknown } = window as unknown as { Bokeh?: unknown },
  doc: Document = document
): Promise<boolean> {
  if (urls.length === 0 || root.Bokeh !== undefined) {
    return Promise.resolve(false);
  }
  const loads = urls.map(
    url =>
      new Promise<boolean>(resolve => {
        const script = doc.createElement('script');
        script.async = false;
        script.src = url;
        script.onload = () => resolve(true);
        script.onerror = () => {
          console.error(`ML Hub could not load BokehJS from ${url}`);
          resolve(false);
        };
        doc.head.appendChild(script);
      })
  );
  return Promise.all(loads).then(ok => ok.every(Boolean));
}

export const bokehLoaderPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:bokeh-loader',
  description: 'Loads BokehJS from this server as the lab starts, for mh.live and mh.plots.',
  autoStart: true,
  activate: (): void => {
    void preloadBokehJS(bokehScriptUrls());
  }
};
