/**
 * What reading a version's file changed or chose, as the dataset view says it: the sheet
 * of a workbook read (and the others there are), blank header cells and the names they
 * were given, columns of mixed types read as text.
 */
import React from 'react';

import { IReading } from '../types';

export function ReadingNote(props: { reading: IReading | undefined }): JSX.Element | null {
  const r = props.reading ?? {};
  const others = (r.sheets ?? []).filter(s => s !== r.sheet);
  const notes: JSX.Element[] = [];
  if (r.sheet !== undefined) {
    notes.push(
      <li key="sheet" data-note="sheet">
        Read from sheet “{r.sheet}”
        {others.length > 0
          ? `; the workbook’s other sheets: ${others.map(s => `“${s}”`).join(', ')}`
          : ' (the only sheet)'}
        .
      </li>
    );
  }
  if (r.renamed_columns && r.renamed_columns.length > 0) {
    const named = r.renamed_columns.map(c => `column ${c.position} → ${c.name}`).join(', ');
    notes.push(
      <li key="renamed" data-note="renamed">
        Blank header cells were named: {named}.
      </li>
    );
  }
  if (r.text_columns && r.text_columns.length > 0) {
    notes.push(
      <li key="text" data-note="text">
        Read as text (values of mixed types): {r.text_columns.join(', ')}.
      </li>
    );
  }
  if (notes.length === 0) {
    return null;
  }
  return (
    <ul className="jp-MLHub-readingNote" aria-label="how the file was read">
      {notes}
    </ul>
  );
}
