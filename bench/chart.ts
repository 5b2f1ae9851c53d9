// A horizontal bar chart as an SVG string, for bench/results.svg. Bars are grouped by job; the scale is
// logarithmic because the implementations differ by orders of magnitude. No dependencies: text and rects.

export interface Bar {
  label: string;
  /** Seconds (> 0). */
  value: number;
  /** A bar that hit its cap is drawn hatched and labelled "> value". */
  capped?: boolean;
  /** Highlighted bar (tsbgp). */
  ours?: boolean;
}

export interface BarGroup {
  title: string;
  bars: Bar[];
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Seconds as a short label: 0.42 s, 12.3 s, 95 s. */
export function secondsText(v: number): string {
  if (v < 10) return `${v.toFixed(2)} s`;
  if (v < 100) return `${v.toFixed(1)} s`;
  return `${Math.round(v)} s`;
}

export function barChart(title: string, subtitle: string, groups: BarGroup[]): string {
  const width = 960;
  const labelW = 190;
  const valueW = 90;
  const plotW = width - labelW - valueW - 20;
  const barH = 16;
  const gap = 4;
  const groupGap = 14;
  const top = 60;
  const all = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 1)));
  const x = (v: number): number =>
    labelW + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const out: string[] = [];
  let y = top;
  for (const g of groups) {
    out.push(`<text x="10" y="${y + 12}" font-weight="bold">${esc(g.title)}</text>`);
    y += 18;
    for (const b of g.bars) {
      const w = Math.max(1, x(b.value) - labelW);
      const fill = b.ours ? '#1f77b4' : '#9aa5b1';
      out.push(`<text x="${labelW - 6}" y="${y + barH - 4}" text-anchor="end">${esc(b.label)}</text>`);
      out.push(
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${b.capped ? 'url(#hatch)' : fill}"/>`,
      );
      out.push(
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + barH - 4}">${esc((b.capped ? '> ' : '') + secondsText(b.value))}</text>`,
      );
      y += barH + gap;
    }
    y += groupGap;
  }
  const height = y + 30;
  // Decade grid lines with labels.
  const grid: string[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
    const v = 10 ** e;
    const gx = x(v).toFixed(1);
    grid.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${y}" stroke="#ddd"/>`);
    grid.push(
      `<text x="${gx}" y="${y + 14}" text-anchor="middle" fill="#666">${e < 0 ? v.toFixed(-e) : String(v)} s</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">',
    '<rect width="6" height="6" fill="#d9a3a3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a33" stroke-width="2"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="42" fill="#555">${esc(subtitle)}</text>`,
    ...grid,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
