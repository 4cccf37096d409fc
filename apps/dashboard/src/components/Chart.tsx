import { useEffect, useRef } from 'preact/hooks';
import { HeatmapChart, LineChart, ParallelChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { init, use, type EChartsCoreOption, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only the charts and parts the pages use enter the bundle.
use([
  LineChart,
  ParallelChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

/** An ECharts chart that follows `option` and its container's size. */
export function Chart({
  option,
  label,
  height = 300,
}: {
  option: EChartsCoreOption;
  label: string;
  height?: number;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  useEffect(() => {
    if (element.current === null) return;
    const instance = init(element.current);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    // No animation: live updates redraw often, and a sweep of 64 runs must stay smooth.
    chart.current?.setOption({ animation: false, ...option }, { notMerge: true, lazyUpdate: true });
  }, [option]);
  return <div ref={element} class="chart" role="img" aria-label={label} style={{ height: `${height}px` }} />;
}
