// A time chart drawn by uPlot (small, fast, canvas). uPlot is most of the dashboard's
// JavaScript and only the costs and resource views draw charts, so it is fetched then: the
// workstations view's first load leaves it out.

import { html } from "htm/preact";
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type Line = { label: string; values: (number | null)[]; color: string; dash?: boolean };

const PALETTE = ["#0969da", "#1a7f37", "#8250df", "#bf3989", "#9a6700", "#0a3069", "#57606a"];
export const color = (i: number) => PALETTE[i % PALETTE.length];

export function TimeChart({ title, times, lines, unit }: { title: string; times: number[]; lines: Line[]; unit?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = [times, ...lines.map((l) => l.values)] as uPlot.AlignedData;
  const shape = lines.map((l) => l.label).join("|");
  const latest = useRef(data);
  latest.current = data;
  useEffect(() => {
    let gone = false;
    const options: uPlot.Options = {
      title,
      width: Math.max(320, Math.min(620, (box.current?.clientWidth ?? 620) - 8)),
      height: 220,
      axes: [{}, { label: unit, size: 70 }],
      series: [
        {},
        ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, dash: l.dash ? [6, 4] : undefined, spanGaps: true })),
      ],
    };
    void import("uplot").then(({ default: UPlot }) => {
      if (!gone && box.current) plot.current = new UPlot(options, latest.current, box.current);
    });
    return () => {
      gone = true;
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);
  useEffect(() => plot.current?.setData(data), [data]);
  const points = lines.reduce((n, l) => n + l.values.filter((v) => v !== null).length, 0);
  return html`<figure class="chart" aria-label=${title} data-points=${points}>
    <div ref=${box}></div>
  </figure>`;
}
