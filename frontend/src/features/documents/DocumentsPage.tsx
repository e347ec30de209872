/** Scaffold: replaced by the feature. */
export default function DocumentsPage() {
  return <h1>DocumentsPage</h1>;
}
