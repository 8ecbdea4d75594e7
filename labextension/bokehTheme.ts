/**
 * Bokeh figures made by ML Hub (`mh.live`, `mh.plots`) follow the lab's theme.
 *
 * The kernel cannot know the lab's theme, and a bokeh theme applied in Python is fixed
 * when the figure is sent. So the figures carry the tag {@link BOKEH_TAG} (set in
 * mlhub_ext/train/plots.py and mlhub_ext/notebook/live.py), and this plugin sets the
 * colours of every tagged plot in the browser (BokehJS `setv`): background, border, text,
 * axes, grid and legend, each taken from a JupyterLab CSS variable (`--jp-*`), so Light,
 * Dark and any other theme apply. It runs when a figure appears (a mutation of the page)
 * and again when the theme changes. A figure shown through jupyter_bokeh (`mh.live`)
 * passes the new colours back to its kernel like any other change. Figures without the
 * tag (the user's own) are left alone; line colours (data) are not touched.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IThemeManager } from '@jupyterlab/apputils';

/** The tag (bokeh `Model.tags`) of the figures whose colours follow the lab's theme. */
export const BOKEH_TAG = 'mlhub-themed';

/** What this plugin needs of BokehJS's `HasProps` (bokeh 3). */
interface IBokehModel {
  tags?: unknown[];
  properties: Record<string, { get_value(): unknown } | undefined>;
  setv(attrs: Record<string, unknown>): void;
  [key: string]: unknown;
}

interface IBokehDocument {
  all_models: Set<IBokehModel>;
}

interface IBokehGlobal {
  documents?: IBokehDocument[];
}

/** The colours of a theme, by role, read from its CSS variables. */
export interface IBokehColors {
  background: string;
  panel: string;
  text: string;
  mutedText: string;
  line: string;
  grid: string;
}

/** Which property of a bokeh model takes which role. Only properties set to a colour are changed (a `None` grid stays off). */
const ROLES: Array<[string, keyof IBokehColors]> = [
  ['background_fill_color', 'background'],
  ['border_fill_color', 'background'],
  ['outline_line_color', 'line'],
  ['axis_line_color', 'line'],
  ['major_tick_line_color', 'line'],
  ['minor_tick_line_color', 'line'],
  ['major_label_text_color', 'mutedText'],
  ['axis_label_text_color', 'text'],
  ['grid_line_color', 'grid'],
  ['text_color', 'text'],
  ['label_text_color', 'text'],
  ['title_text_color', 'text'],
  ['border_line_color', 'grid'],
  ['inactive_fill_color', 'panel']
];

/** A CSS colour as the browser normalises it (`#rrggbb` or `rgba(...)`), which BokehJS parses. */
function normalise(ctx: CanvasRenderingContext2D | null, value: string): string {
  if (!ctx || !value) {
    return value;
  }
  ctx.fillStyle = '#000000'; // a sentinel (an unparsable value leaves it), never drawn
  ctx.fillStyle = value;
  return String(ctx.fillStyle);
}

/** The theme now in force, from JupyterLab's CSS variables on `<body>`. */
export function themeColors(el: HTMLElement = document.body): IBokehColors {
  const style = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  const v = (name: string): string => normalise(ctx, style.getPropertyValue(name).trim());
  return {
    background: v('--jp-layout-color0'),
    panel: v('--jp-layout-color2'),
    text: v('--jp-ui-font-color1'),
    mutedText: v('--jp-ui-font-color1'),
    line: v('--jp-border-color1'),
    grid: v('--jp-border-color2')
  };
}

/** The tagged plot's own models: itself, its title, axes, grids and legends. */
function parts(plot: IBokehModel): IBokehModel[] {
  const found: IBokehModel[] = [plot];
  const title = plot.title as IBokehModel | null | undefined;
  if (title && typeof title === 'object' && 'properties' in title) {
    found.push(title);
  }
  for (const side of ['left', 'right', 'above', 'below', 'center']) {
    const list = plot[side];
    if (Array.isArray(list)) {
      list.forEach(m => {
        if (m && typeof m === 'object' && 'properties' in m) {
          found.push(m as IBokehModel);
        }
      });
    }
  }
  return found;
}

/**
 * Set the theme's colours on every tagged plot of every BokehJS document on the page.
 * Only changed values are set, so calling it often costs no redraws. Returns how many
 * plots carry the tag.
 */
export function applyBokehTheme(colors: IBokehColors, bokeh?: IBokehGlobal): number {
  const docs = (bokeh ?? (window as unknown as { Bokeh?: IBokehGlobal }).Bokeh)?.documents ?? [];
  let plots = 0;
  for (const doc of docs) {
    for (const model of doc.all_models) {
      if (!Array.isArray(model.tags) || !model.tags.includes(BOKEH_TAG)) {
        continue;
      }
      plots++;
      for (const part of parts(model)) {
        const attrs: Record<string, string> = {};
        for (const [prop, role] of ROLES) {
          const property = part.properties[prop];
          if (!property) {
            continue;
          }
          const current = property.get_value();
          if (current !== null && current !== undefined && current !== colors[role]) {
            attrs[prop] = colors[role];
          }
        }
        if (Object.keys(attrs).length > 0) {
          part.setv(attrs);
        }
      }
    }
  }
  return plots;
}

export const bokehThemePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:bokeh-theme',
  description: 'ML Hub bokeh figures (mh.live, mh.plots) follow the lab theme.',
  autoStart: true,
  optional: [IThemeManager],
  activate: (app: JupyterFrontEnd, themes: IThemeManager | null): void => {
    let colors: IBokehColors | null = null;
    let scheduled = false;
    const schedule = (reread: boolean): void => {
      if (reread) {
        colors = null;
      }
      if (scheduled) {
        return;
      }
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        if (!(window as unknown as { Bokeh?: IBokehGlobal }).Bokeh) {
          return;
        }
        colors = colors ?? themeColors();
        try {
          applyBokehTheme(colors);
        } catch (error) {
          // A BokehJS without these internals: leave the figures as they are.
          console.warn('ML Hub could not apply the lab theme to bokeh figures', error);
        }
      });
    };
    // A new figure is a new element on the page; a theme change flips body's data-jp-theme-*.
    new MutationObserver(records =>
      schedule(records.some(r => r.type === 'attributes'))
    ).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    themes?.themeChanged.connect(() => {
      schedule(true);
      // The theme's stylesheet may still be loading when the signal comes: read again.
      setTimeout(() => schedule(true), 500);
    });
    void app.restored.then(() => schedule(true));
  }
};
