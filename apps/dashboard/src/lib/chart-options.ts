import type { EChartsCoreOption } from 'echarts/core';
import type { EpochRecord } from '@cam/contracts';
import { paramText } from './format.js';
import type { RunRow } from './runs.js';

/** Learning curves of many runs overlaid: `metric` by epoch, one line per run that has a history. */
export function curvesOption(
  rows: RunRow[],
  metric: 'valAccuracy' | 'valLoss' | 'accuracy' | 'loss',
  title: string,
): EChartsCoreOption {
  const series = rows
    .filter((row) => row.history.some((e) => typeof e[metric] === 'number'))
    .map((row) => ({
      name: row.run.id,
      type: 'line',
      showSymbol: row.history.length < 20,
      data: row.history.map((e) => [e.epoch, e[metric] ?? null]),
    }));
  return {
    title: { text: title, textStyle: { fontSize: 14 } },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '–'),
    },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 50 },
    xAxis: { type: 'value', name: 'epoch', minInterval: 1, min: 'dataMin', max: 'dataMax' },
    yAxis: { type: 'value', scale: true },
    series,
  };
}

/** One run's train and validation curves (accuracy left, loss right). */
export function runCurvesOption(history: EpochRecord[]): EChartsCoreOption {
  const line = (name: string, key: 'accuracy' | 'valAccuracy' | 'loss' | 'valLoss', yAxisIndex: number) => ({
    name,
    type: 'line',
    yAxisIndex,
    data: history.map((e) => [e.epoch, e[key] ?? null]),
  });
  const hasValidation = history.some((e) => typeof e.valAccuracy === 'number');
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 50, right: 50, top: 30, bottom: 50 },
    xAxis: { type: 'value', name: 'epoch', minInterval: 1, min: 'dataMin', max: 'dataMax' },
    yAxis: [
      { type: 'value', name: 'accuracy', scale: true },
      { type: 'value', name: 'loss', scale: true },
    ],
    series: [
      line('train accuracy', 'accuracy', 0),
      ...(hasValidation ? [line('validation accuracy', 'valAccuracy', 0)] : []),
      line('train loss', 'loss', 1),
      ...(hasValidation ? [line('validation loss', 'valLoss', 1)] : []),
    ],
  };
}

/**
 * Parallel coordinates: one axis per varied parameter (numeric: value axis, log where it spans a factor of
 * 10 or more; otherwise categories), then final validation accuracy; one line per run that has one.
 */
export function parallelOption(rows: RunRow[], params: string[], accuracyOf: (row: RunRow) => number | null) {
  const done = rows.filter((row) => accuracyOf(row) !== null);
  const axes = params.map((name, dim) => {
    const values = done.map((row) => (row.run.params as Record<string, unknown>)[name]);
    const numeric = values.every((v) => typeof v === 'number');
    if (!numeric) {
      return { dim, name, type: 'category', data: [...new Set(values.map(paramText))] };
    }
    const numbers = values as number[];
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    return min > 0 && max / min >= 10
      ? { dim, name, type: 'log' }
      : { dim, name, type: 'value', scale: true };
  });
  const data = done.map((row) => [
    ...params.map((name, dim) => {
      const value = (row.run.params as Record<string, unknown>)[name];
      return axes[dim]?.type === 'category' ? paramText(value) : value;
    }),
    accuracyOf(row),
  ]);
  return {
    parallelAxis: [...axes, { dim: params.length, name: 'final val acc', type: 'value', scale: true }],
    parallel: { left: 60, right: 80, top: 40, bottom: 30 },
    visualMap: {
      show: false,
      dimension: params.length,
      min: Math.min(...data.map((d) => Number(d.at(-1)))),
      max: Math.max(...data.map((d) => Number(d.at(-1)))),
      inRange: { color: ['#4575b4', '#fdae61', '#d73027'] },
    },
    series: [{ type: 'parallel', lineStyle: { width: 2, opacity: 0.8 }, data }],
  } satisfies EChartsCoreOption;
}

/** The confusion matrix as a heat map: predicted class across, true class down. */
export function confusionOption(cells: [number, number, number][], classes: number): EChartsCoreOption {
  const labels = Array.from({ length: classes }, (_, i) => String(i));
  return {
    tooltip: {
      formatter: (p: { value: [number, number, number] }) =>
        `true ${p.value[1]}, predicted ${p.value[0]}: ${p.value[2]}`,
    },
    grid: { left: 50, right: 90, top: 20, bottom: 50 },
    xAxis: { type: 'category', data: labels, name: 'predicted', nameLocation: 'middle', nameGap: 25 },
    yAxis: { type: 'category', data: labels, name: 'true', inverse: true },
    visualMap: {
      min: 0,
      max: Math.max(1, ...cells.map((c) => c[2])),
      calculable: true,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] },
    },
    series: [{ type: 'heatmap', data: cells, label: { show: true, fontSize: 10 } }],
  };
}
