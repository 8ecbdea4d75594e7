import { bokehScriptUrls, preloadBokehJS } from '../bokehLoader';

function scriptsIn(doc: Document): HTMLScriptElement[] {
  return Array.from(doc.head.querySelectorAll('script'));
}

describe('preloadBokehJS', () => {
  let doc: Document;
  beforeEach(() => {
    doc = document.implementation.createHTMLDocument('lab');
  });

  it('loads the scripts in order (async=false) and resolves once all have loaded', async () => {
    let settled = false;
    const done = preloadBokehJS(['/b/bokeh.min.js', '/b/bokeh-widgets.min.js'], {}, doc).then(ok => {
      settled = true;
      return ok;
    });
    const scripts = scriptsIn(doc);
    expect(scripts.map(s => s.getAttribute('src'))).toEqual(['/b/bokeh.min.js', '/b/bokeh-widgets.min.js']);
    expect(scripts.every(s => s.async === false)).toBe(true);
    scripts[0].dispatchEvent(new Event('load'));
    await Promise.resolve();
    expect(settled).toBe(false); // the plugins are not in yet
    scripts[1].dispatchEvent(new Event('load'));
    await expect(done).resolves.toBe(true);
  });

  it('reports a script that failed, by URL, and resolves false', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const done = preloadBokehJS(['/b/bokeh.min.js', '/b/missing.js'], {}, doc);
    const [core, missing] = scriptsIn(doc);
    core.dispatchEvent(new Event('load'));
    missing.dispatchEvent(new Event('error'));
    await expect(done).resolves.toBe(false);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('/b/missing.js'));
    error.mockRestore();
  });

  it('starts nothing when BokehJS is on the page or there are no URLs', async () => {
    await expect(preloadBokehJS(['/b/bokeh.min.js'], { Bokeh: {} }, doc)).resolves.toBe(false);
    await expect(preloadBokehJS([], {}, doc)).resolves.toBe(false);
    expect(scriptsIn(doc)).toHaveLength(0);
  });
});

describe('bokehScriptUrls', () => {
  it('reads the JSON list of the page config and ignores anything else', () => {
    expect(bokehScriptUrls('["/a/bokeh.min.js", "/a/bokeh-gl.min.js"]')).toEqual(['/a/bokeh.min.js', '/a/bokeh-gl.min.js']);
    expect(bokehScriptUrls('')).toEqual([]);
    expect(bokehScriptUrls('not json')).toEqual([]);
    expect(bokehScriptUrls('{"a": 1}')).toEqual([]);
    expect(bokehScriptUrls('["/a.js", 3, ""]')).toEqual(['/a.js']);
  });
});
