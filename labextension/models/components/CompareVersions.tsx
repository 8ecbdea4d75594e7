/**
 * Two versions side by side: every metric of either, the difference, and which side is
 * better (by the metric's direction, see ../compare.ts); spec fields that differ too.
 */
import React, { useEffect, useState } from 'react';

import { useResource } from '../../components/useModel';
import { getVersion } from '../api';
import { IModelVersion } from '../types';
import { compareMetrics, differingSpec, TOLERANCE_TEXT } from '../compare';
import { formatValue } from './format';

export interface ICompareVersionsProps {
  name: string;
  versions: IModelVersion[];
}

/** The `index`-th newest version number (the newest when there are fewer). */
function pick(versions: IModelVersion[], index: number): number | null {
  const numbers = versions.map(v => v.version).sort((x, y) => y - x);
  return numbers[index] ?? numbers[0] ?? null;
}

export function CompareVersions(props: ICompareVersionsProps): JSX.Element {
  const { name, versions } = props;
  const [a, setA] = useState<number | null>(pick(versions, 1));
  const [b, setB] = useState<number | null>(pick(versions, 0));

  // A version trained (or deleted) since: compare the latest two again.
  const known = versions.map(v => v.version).join(',');
  useEffect(() => {
    setA(pick(versions, 1));
    setB(pick(versions, 0));
  }, [name, known]);

  const loaded = useResource<[IModelVersion, IModelVersion] | null>(
    async () => (a === null || b === null ? null : Promise.all([getVersion(name, a), getVersion(name, b)])),
    [name, a, b]
  );
  const pair = loaded.value;
  const error = loaded.error;

  const select = (value: number | null, set: (v: number) => void, label: string): JSX.Element => (
    <select
      className="jp-MLHubModels-select"
      aria-label={label}
      value={value ?? ''}
      onChange={e => set(Number(e.target.value))}
    >
      {versions.map(v => (
        <option key={v.version} value={v.version}>
          v{v.version}
        </option>
      ))}
    </select>
  );

  return (
    <section className="jp-MLHubModels-section" aria-label="compare versions">
      <h3 className="jp-MLHubModels-subtitle">
        Compare {select(a, setA, 'first version')} with {select(b, setB, 'second version')}
      </h3>
      {error && (
        <div className="jp-MLHub-error" role="alert">
          {error}
        </div>
      )}
      {pair && <CompareTable left={pair[0]} right={pair[1]} />}
    </section>
  );
}

function CompareTable(props: { left: IModelVersion; right: IModelVersion }): JSX.Element {
  const { left, right } = props;
  return (
    <table className="jp-MLHubModels-table jp-MLHubModels-compare" aria-label="version comparison">
      <thead>
        <tr>
          <th />
          <th>v{left.version}</th>
          <th>v{right.version}</th>
          <th title={TOLERANCE_TEXT}>difference</th>
        </tr>
      </thead>
      <tbody>
        {compareMetrics(left, right).map(row => (
          <tr key={row.metric} data-metric={row.metric} data-better={row.better ?? undefined}>
            <th>{row.metric}</th>
            <td className={row.better === 'left' ? 'jp-mod-better' : ''}>{formatValue(row.left)}</td>
            <td className={row.better === 'right' ? 'jp-mod-better' : ''}>{formatValue(row.right)}</td>
            <td className={row.changed ? 'jp-mod-changed' : ''} title={TOLERANCE_TEXT}>
              {row.diff === null ? '–' : `${row.diff > 0 ? '+' : ''}${formatValue(row.diff)}`}
            </td>
          </tr>
        ))}
        {differingSpec(left, right).map(k => (
          <tr key={`spec-${k}`} data-param={k}>
            <th>{k}</th>
            <td className="jp-mod-changed">{JSON.stringify(left.spec?.[k]) ?? '–'}</td>
            <td className="jp-mod-changed">{JSON.stringify(right.spec?.[k]) ?? '–'}</td>
            <td>spec differs</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
