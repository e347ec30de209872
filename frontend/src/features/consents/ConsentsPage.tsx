/** Scaffold: replaced by the feature. */
export default function ConsentsPage() {
  return <h1>ConsentsPage</h1>;
}
