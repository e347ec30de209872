/** Scaffold: replaced by the feature. */
export default function ConsentTemplatesPage() {
  return <h1>ConsentTemplatesPage</h1>;
}
