/** Scaffold: replaced by the feature. */
export default function PortalPrescriptionsPage() {
  return <h1>PortalPrescriptionsPage</h1>;
}
