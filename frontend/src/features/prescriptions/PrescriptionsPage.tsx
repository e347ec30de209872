/** Scaffold: replaced by the feature. */
export default function PrescriptionsPage() {
  return <h1>PrescriptionsPage</h1>;
}
