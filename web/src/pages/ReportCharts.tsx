/**
 * The reports page's charts. Only this file imports recharts, and the page
 * loads it lazily, so the charting library stays out of the first download.
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export interface MonthPoint {
  month: string;
  [series: string]: number | string | null;
}

/** Distinguishable for most colour vision, and each series is also named in the legend and tooltip. */
const PALETTE = ['#0a58ca', '#cf222e', '#1a7f37', '#9a6700', '#6f42c1', '#57606a', '#d63384', '#0dcaf0'];

export function LineTrend({
  data,
  series,
  unit,
  label,
}: {
  data: MonthPoint[];
  series: string[];
  unit: string;
  label: string;
}) {
  return (
    <div className="chart-box" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" />
          <YAxis unit={unit} allowDecimals={false} width={64} />
          <Tooltip />
          <Legend />
          {series.map((s, i) => (
            <Line
              key={s}
              type="linear"
              dataKey={s}
              name={s}
              stroke={PALETTE[i % PALETTE.length]}
              strokeDasharray={i % 2 ? '5 3' : undefined}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function StackedBars({
  data,
  series,
  label,
}: {
  data: MonthPoint[];
  series: string[];
  label: string;
}) {
  return (
    <div className="chart-box" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          {series.map((s, i) => (
            <Bar
              key={s}
              dataKey={s}
              name={s}
              stackId="incidents"
              fill={PALETTE[i % PALETTE.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
