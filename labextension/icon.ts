/** The ML Hub sidebar icon: a small line chart over a hub node. */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 3h2v16h16v2H3z"/>
    <path d="M7 15.6l4.2-4.8 3 2.6 5.1-6.2 1.5 1.3-6.4 7.8-3-2.6-2.9 3.3z"/>
    <circle cx="11.2" cy="10.8" r="1.6"/>
    <circle cx="19.3" cy="7.2" r="1.6"/>
  </g>
</svg>`;

export const mlhubIcon = new LabIcon({ name: 'mlhub-ext:icon', svgstr });
