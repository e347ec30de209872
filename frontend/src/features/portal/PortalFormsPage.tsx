/** Scaffold: replaced by the feature. */
export default function PortalFormsPage() {
  return <h1>PortalFormsPage</h1>;
}
