/** Columns of text aligned under their headers (for `wharf lag`, `wharf top` and summaries). */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, gap = 2): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] + gap)))
      .join('')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
