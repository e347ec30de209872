/** Scaffold: replaced by the feature. */
export default function ChartPage() {
  return <h1>ChartPage</h1>;
}
