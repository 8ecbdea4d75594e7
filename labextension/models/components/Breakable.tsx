import React from 'react';

/**
 * `text` with line-break opportunities (`<wbr>`) after the dots, underscores, slashes,
 * commas and colons of dotted paths and JSON, so a narrow column wraps
 * `sklearn.ensemble.RandomForestClassifier` at `ensemble.` rather than mid-word.
 */
export function Breakable(props: { text: string }): JSX.Element {
  const parts = props.text.split(/(?<=[._/,:])/);
  return (
    <>
      {parts.map((part, i) => (
        <React.Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </React.Fragment>
      ))}
    </>
  );
}

/** A JSON value pretty-printed in a `<pre>` block that wraps only its long tokens. */
export function JsonBlock(props: { value: unknown; label?: string }): JSX.Element {
  return (
    <pre className="jp-MLHubModels-jsonBlock" aria-label={props.label}>
      {JSON.stringify(props.value, null, 2)}
    </pre>
  );
}
