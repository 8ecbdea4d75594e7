/** A version's evaluation: its scalar metrics, confusion matrix, ROC, PR and loss curves. */
import React, { useMemo } from 'react';

import { IEvaluation } from '../types';
import { ConfusionMatrix } from './ConfusionMatrix';
import { CurveChart, ILine } from './CurveChart';
import { formatValue, labelText } from './format';

export interface IEvaluationPlotsProps {
  evaluation: IEvaluation | null | undefined;
  themeVersion: number;
}

/** The evaluation's top-level numbers (accuracy, f1_macro, rmse, ...). */
export function scalarMetrics(evaluation: IEvaluation): Array<[string, number]> {
  return Object.entries(evaluation)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && e[0] !== 'n')
    .sort(([a], [b]) => a.localeCompare(b));
}

function curveLines(evaluation: IEvaluation): { roc: ILine[]; pr: ILine[]; loss: ILine[] } {
  const roc = (evaluation.roc ?? []).map(c => ({
    label: `${labelText(c.label)} (AUC ${formatValue(c.auc)})`,
    xs: c.fpr ?? [],
    ys: c.tpr ?? []
  }));
  const pr = (evaluation.pr ?? []).map(c => ({
    label: `${labelText(c.label)} (AP ${formatValue(c.average_precision)})`,
    xs: c.recall ?? [],
    ys: c.precision ?? []
  }));
  const points = evaluation.loss_curve ?? [];
  const loss: ILine[] = points.length
    ? [{ label: 'loss', xs: points.map(p => p.epoch), ys: points.map(p => p.loss) }]
    : [];
  if (points.some(p => p.val_loss !== undefined && p.val_loss !== null)) {
    loss.push({
      label: 'val_loss',
      xs: points.map(p => p.epoch),
      ys: points.map(p => p.val_loss ?? null),
      dashed: true
    });
  }
  return { roc, pr, loss };
}

export function EvaluationPlots(props: IEvaluationPlotsProps): JSX.Element {
  const { evaluation, themeVersion } = props;
  const lines = useMemo(() => (evaluation ? curveLines(evaluation) : null), [evaluation]);
  if (!evaluation || !lines) {
    return <p className="jp-MLHub-empty">This version has no evaluation.</p>;
  }
  return (
    <div className="jp-MLHubModels-evaluation">
      <dl className="jp-MLHubModels-scalars" aria-label="evaluation metrics">
        {scalarMetrics(evaluation).map(([k, v]) => (
          <div key={k} data-metric={k}>
            <dt>{k}</dt>
            <dd>{formatValue(v)}</dd>
          </div>
        ))}
        {evaluation.n !== undefined && (
          <div data-metric="n">
            <dt>evaluated rows</dt>
            <dd>{evaluation.n}</dd>
          </div>
        )}
      </dl>
      <div className="jp-MLHubModels-plots">
        {evaluation.confusion_matrix && (
          <ConfusionMatrix
            labels={evaluation.confusion_matrix.labels}
            matrix={evaluation.confusion_matrix.matrix}
            themeVersion={themeVersion}
          />
        )}
        {lines.roc.length > 0 && (
          <CurveChart title="ROC" lines={lines.roc} xLabel="false positive rate" yLabel="true positive rate" unit themeVersion={themeVersion} />
        )}
        {lines.pr.length > 0 && (
          <CurveChart title="Precision-recall" lines={lines.pr} xLabel="recall" yLabel="precision" unit themeVersion={themeVersion} />
        )}
        {lines.loss.length > 0 && (
          <CurveChart title="Loss" lines={lines.loss} xLabel="epoch" yLabel="loss" themeVersion={themeVersion} />
        )}
      </div>
    </div>
  );
}
