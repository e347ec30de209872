import { formatReportValue, type ColumnKind } from '../../api/reports';

export interface LineChartInput {
  title: string;
  labels: string[];
  /** In the report's units (cents for money). */
  values: number[];
  kind: ColumnKind;
  currency?: string | undefined;
}

/**
 * Draws a line chart on canvas with Chart.js, imported here on first use:
 * the library is its own chunk, never in the first page's bundle.
 */
export async function drawLineChart(canvas: HTMLCanvasElement, input: LineChartInput): Promise<{ destroy(): void }> {
  const { Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Filler } = await import('chart.js');
  Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Filler);
  const scale = input.kind === 'cents' ? 100 : 1;
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: input.labels,
      datasets: [
        {
          label: input.title,
          data: input.values.map((v) => v / scale),
          borderColor: '#0b5cad',
          backgroundColor: 'rgba(11, 92, 173, 0.12)',
          fill: true,
          tension: 0.25,
          pointRadius: 2,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => formatReportValue(input.kind, (ctx.parsed.y ?? 0) * scale, input.currency) } },
      },
      scales: {
        x: { ticks: { maxTicksLimit: 6, color: '#475467' }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { precision: 0, color: '#475467' } },
      },
    },
  });
}
