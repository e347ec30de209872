/** Scaffold: replaced by the feature. */
export default function PlansPage() {
  return <h1>PlansPage</h1>;
}
