/** Scaffold: replaced by the feature. */
export default function NotesPage() {
  return <h1>NotesPage</h1>;
}
