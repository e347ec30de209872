/** Scaffold: replaced by the feature. */
export default function PerioPage() {
  return <h1>PerioPage</h1>;
}
