/**
 * The sheet names of an Excel workbook, read in the browser so that the Upload form can
 * offer the choice before any byte is sent. An .xlsx file is a zip archive: its central
 * directory (at the end) locates `xl/workbook.xml`, whose `<sheet name="...">` elements
 * list the sheets in order. Only that one entry is read and inflated (with the browser's
 * own `DecompressionStream`), whatever the size of the workbook.
 */

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const WORKBOOK = 'xl/workbook.xml';

/** True for the file names the server reads as Excel workbooks. */
export function isWorkbook(filename: string): boolean {
  return /\.xls[xm]$/i.test(filename);
}

async function bytes(blob: Blob, start: number, end: number): Promise<DataView> {
  return new DataView(await blob.slice(start, end).arrayBuffer());
}

async function inflate(data: Blob, method: number): Promise<string> {
  if (method === 0) {
    return data.text();
  }
  if (method !== 8) {
    throw new Error(`unsupported zip compression method ${method}`);
  }
  const stream = data.stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).text();
}

/**
 * The workbook's sheet names in order; rejects when `blob` is not a readable .xlsx
 * (the server then says what is wrong with the file).
 */
export async function workbookSheetNames(blob: Blob): Promise<string[]> {
  // The end-of-central-directory record is in the last 22 bytes plus a comment of at most 64 KiB.
  const tailStart = Math.max(0, blob.size - 22 - 0xffff);
  const tail = await bytes(blob, tailStart, blob.size);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new Error('not a zip archive');
  }
  const entries = tail.getUint16(eocd + 10, true);
  const dirSize = tail.getUint32(eocd + 12, true);
  const dirOffset = tail.getUint32(eocd + 16, true);
  const dir = await bytes(blob, dirOffset, dirOffset + dirSize);
  const decoder = new TextDecoder();
  let pos = 0;
  for (let n = 0; n < entries && pos + 46 <= dir.byteLength; n++) {
    if (dir.getUint32(pos, true) !== CENTRAL_SIGNATURE) {
      break;
    }
    const method = dir.getUint16(pos + 10, true);
    const compressed = dir.getUint32(pos + 20, true);
    const nameLength = dir.getUint16(pos + 28, true);
    const extraLength = dir.getUint16(pos + 30, true);
    const commentLength = dir.getUint16(pos + 32, true);
    const local = dir.getUint32(pos + 42, true);
    const name = decoder.decode(new Uint8Array(dir.buffer, dir.byteOffset + pos + 46, nameLength));
    if (name === WORKBOOK) {
      const header = await bytes(blob, local, local + 30);
      if (header.getUint32(0, true) !== LOCAL_SIGNATURE) {
        throw new Error('damaged zip entry');
      }
      const start = local + 30 + header.getUint16(26, true) + header.getUint16(28, true);
      const xml = await inflate(blob.slice(start, start + compressed), method);
      const doc = new DOMParser().parseFromString(xml, 'application/xml');
      return Array.from(doc.getElementsByTagNameNS('*', 'sheet'))
        .map(sheet => sheet.getAttribute('name') ?? '')
        .filter(sheetName => sheetName !== '');
    }
    pos += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`no ${WORKBOOK} in the archive`);
}
