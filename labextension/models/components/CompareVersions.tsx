/**
 * Two versions side by side: every metric of either, the difference, and which side is
 * better (by the metric's direction); spec fields that differ are listed too.
 */
import React, { useEffect, useState } from 'react';

import { getVersion } from '../api';
import { IModelVersion } from '../types';
import { formatValue, higherIsBetter } from './format';

export interface ICompareVersionsProps {
  name: string;
  versions: IModelVersion[];
}

function pick(versions: IModelVersion[], index: number): number | null {
  return versions[index]?.version ?? versions[0]?.version ?? null;
}

export function CompareVersions(props: ICompareVersionsProps): JSX.Element {
  const { name, versions } = props;
  const [a, setA] = useState<number | null>(pick(versions, 1));
  const [b, setB] = useState<number | null>(pick(versions, 0));
  const [pair, setPair] = useState<[IModelVersion, IModelVersion] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (a === null || b === null) {
      return;
    }
    let live = true;
    Promise.all([getVersion(name, a), getVersion(name, b)])
      .then(both => {
        if (live) {
          setPair(both);
          setError(null);
        }
      })
      .catch(e => {
        if (live) {
          setError((e as Error).message);
        }
      });
    return () => {
      live = false;
    };
  }, [name, a, b]);

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
  const metrics = Array.from(
    new Set([...Object.keys(left.metrics ?? {}), ...Object.keys(right.metrics ?? {})])
  ).sort();
  const params = Array.from(
    new Set([...Object.keys(left.spec ?? {}), ...Object.keys(right.spec ?? {})])
  )
    .filter(k => JSON.stringify(left.spec?.[k]) !== JSON.stringify(right.spec?.[k]))
    .sort();
  return (
    <table className="jp-MLHubModels-table jp-MLHubModels-compare" aria-label="version comparison">
      <thead>
        <tr>
          <th />
          <th>v{left.version}</th>
          <th>v{right.version}</th>
          <th>difference</th>
        </tr>
      </thead>
      <tbody>
        {metrics.map(k => {
          const l = left.metrics?.[k];
          const r = right.metrics?.[k];
          const both = typeof l === 'number' && typeof r === 'number';
          const diff = both ? (r as number) - (l as number) : null;
          const better =
            diff === null || diff === 0 ? '' : (diff > 0) === higherIsBetter(k) ? 'right' : 'left';
          return (
            <tr key={k} data-metric={k} data-better={better || undefined}>
              <th>{k}</th>
              <td className={better === 'left' ? 'jp-mod-better' : ''}>{formatValue(l)}</td>
              <td className={better === 'right' ? 'jp-mod-better' : ''}>{formatValue(r)}</td>
              <td className={diff ? 'jp-mod-changed' : ''}>
                {diff === null ? '–' : `${diff > 0 ? '+' : ''}${formatValue(diff)}`}
              </td>
            </tr>
          );
        })}
        {params.map(k => (
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
