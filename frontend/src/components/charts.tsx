// Charts for the learning dashboard, drawn by Apache ECharts: only the parts
// used here are imported (tree-shaken through `echarts/core`), rendered as
// SVG, and only the dashboard's lazy chunk loads this module. Every chart
// sits in an element with role="img" and a one-sentence summary for screen
// readers, and the numbers behind it are in a table under "Show the numbers".

import { BarChart, HeatmapChart, PieChart } from 'echarts/charts';
import { CalendarComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

echarts.use([BarChart, HeatmapChart, PieChart, CalendarComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** The theme's colours (from the stylesheet's variables), read again when the theme changes. */
export interface ChartColors {
  text: string;
  muted: string;
  border: string;
  surface: string;
  accent: string;
  danger: string;
  success: string;
  premium: string;
  /** Heat map levels 0–4: empty, then the accent ever stronger. */
  levels: [string, string, string, string, string];
}

function hexToRgb(hex: string): [number, number, number] | null {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) return null;
  const n = parseInt(match[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `a` mixed with `t` of `b` (hex colours; `b` when either is not one). */
export function mix(a: string, b: string, t: number): string {
  const from = hexToRgb(a);
  const to = hexToRgb(b);
  if (!from || !to) return b;
  const channel = (i: number) => Math.round(from[i]! + (to[i]! - from[i]!) * t);
  return `#${[0, 1, 2].map((i) => channel(i).toString(16).padStart(2, '0')).join('')}`;
}

function readColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const css = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const surface = css('--surface', '#ffffff');
  const accent = css('--accent', '#3b4cca');
  return {
    text: css('--text', '#1d1d22'),
    muted: css('--muted', '#5d5d6a'),
    border: css('--border', '#e2e0da'),
    surface,
    accent,
    danger: css('--danger', '#b42318'),
    success: css('--success', '#1f6b24'),
    premium: css('--premium', '#8a5a00'),
    levels: [css('--border', '#e2e0da'), mix(surface, accent, 0.25), mix(surface, accent, 0.45), mix(surface, accent, 0.7), accent],
  };
}

export function useChartColors(): ChartColors {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)');
    dark?.addEventListener('change', bump);
    return () => {
      observer.disconnect();
      dark?.removeEventListener('change', bump);
    };
  }, []);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` says when the stylesheet's colours changed
  return useMemo(() => readColors(), [version]);
}

/** Axis, tooltip and text settings every chart shares. */
export function baseOption(colors: ChartColors): ChartOption {
  return {
    animation: false,
    textStyle: { color: colors.text, fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    tooltip: {
      backgroundColor: colors.surface,
      borderColor: colors.border,
      textStyle: { color: colors.text },
      confine: true,
    },
  };
}

interface ChartProps {
  /** The option for a chart `width` pixels wide (a phone may get fewer bars or weeks). */
  option(width: number): ChartOption;
  height: number;
  /** What the chart shows, in one sentence: its text alternative. */
  summary: string;
  testId: string;
}

/** One ECharts chart (SVG), resized with its box, disposed with the component. */
export function Chart({ option, height, summary, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = echarts.init(element, undefined, { renderer: 'svg' });
    chart.current = instance;
    // Called once at once, then on every change of the box's size.
    const observer = new ResizeObserver(() => {
      setWidth(Math.round(element.clientWidth));
      instance.resize();
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    if (width > 0) chart.current?.setOption(option(width), { notMerge: true });
  }, [option, width]);
  return (
    <div className="chart-frame" role="img" aria-label={summary}>
      <div ref={box} className="chart" style={{ height }} data-testid={testId} data-width={width} />
    </div>
  );
}

/** A chart with its heading, its summary in words, and its numbers as a table. */
export function ChartFigure({ title, summary, children, table }: { title: string; summary: string; children: ReactNode; table: ReactNode }) {
  return (
    <figure className="chart-figure">
      <figcaption>
        <h3>{title}</h3>
        <p className="muted small">{summary}</p>
      </figcaption>
      {children}
      <details className="chart-table">
        <summary>Show the numbers</summary>
        <div className="table-wrap">{table}</div>
      </details>
    </figure>
  );
}
