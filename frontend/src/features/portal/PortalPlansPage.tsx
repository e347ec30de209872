/** Scaffold: replaced by the feature. */
export default function PortalPlansPage() {
  return <h1>PortalPlansPage</h1>;
}
