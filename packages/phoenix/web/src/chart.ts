// A variant-against-variant chart over the experiment's intervals, drawn by uPlot (small, fast,
// canvas). It is created once and given new data as events arrive. uPlot is two thirds of the
// console's JavaScript and only an experiment's page draws charts, so it is fetched then: the
// other views' first load leaves it out.

import { html } from "htm/preact";
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Interval } from "./api";

type Field = "output_series" | "monthly_cost" | "reduction_percent";

function columns(intervals: Interval[], field: Field): uPlot.AlignedData {
  const seqs = [...new Set(intervals.map((i) => i.seq))].sort((a, b) => a - b);
  const of = (variant: "A" | "B") =>
    seqs.map((seq) => intervals.find((i) => i.seq === seq && i.variant === variant)?.[field] ?? null);
  return [seqs, of("A"), of("B")];
}

export function VariantChart({ intervals, field, title }: { intervals: Interval[]; field: Field; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(intervals);
  latest.current = intervals;
  useEffect(() => {
    let gone = false;
    const options: uPlot.Options = {
      title,
      width: Math.min(560, (box.current?.clientWidth ?? 560) - 8),
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: "interval" }, {}],
      series: [
        { label: "interval" },
        { label: "A (baseline)", stroke: "#8c959f", width: 2 },
        { label: "B (candidate)", stroke: "#0969da", width: 2 },
      ],
    };
    void import("uplot").then(({ default: UPlot }) => {
      if (!gone) plot.current = new UPlot(options, columns(latest.current, field), box.current!);
    });
    return () => {
      gone = true;
      plot.current?.destroy();
    };
  }, []);
  useEffect(() => plot.current?.setData(columns(intervals, field)), [intervals]);
  return html`<div class="chart" ref=${box} data-points=${intervals.length} aria-label=${title}></div>`;
}
